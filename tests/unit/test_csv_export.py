"""CSV exports never hand a spreadsheet a formula."""

from chalicelib.domain.csv_export import safe_cell, to_csv


def test_formula_cells_are_quoted_and_numbers_pass():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("+1+1") == "'+1+1"
    assert safe_cell("-12.50") == "-12.50" and safe_cell(None) == "" and safe_cell(3) == "3"


def test_rows_end_with_crlf_after_a_utf8_byte_order_mark():
    assert to_csv(["a", "b"], [["=cmd", 1]]) == "\ufeffa,b\r\n'=cmd,1\r\n"


def test_chinese_names_survive_as_utf8_with_bom_for_excel():
    data = to_csv(["manager_name"], [["王晓明"]]).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")  # what Excel looks for before it falls back to GBK
    assert data.decode("utf-8-sig").splitlines() == ["manager_name", "王晓明"]


def test_tab_and_carriage_return_prefixes_are_guarded_too():
    from chalicelib.domain.csv_export import safe_cell

    assert safe_cell("\t=1+1") == "'\t=1+1"
    assert safe_cell("\r=cmd") == "'\r=cmd"
