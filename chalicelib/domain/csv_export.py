"""CSV exports opened in spreadsheets: RFC 4180 lines, and no cell that runs as a formula.

A cell starting with = + - @ TAB or CR is read as a formula by Excel and WPS; free text such as a
problem's cause could carry one, so such cells are prefixed with a quote (numbers pass).
The text starts with a UTF-8 byte order mark: Excel in a Chinese locale otherwise reads a CSV as
GBK and shows the names garbled (WPS and LibreOffice read it either way).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

BOM = "\ufeff"


def to_csv(header: list[str], rows) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
        return True
    except (InvalidOperation, ValueError):
        return False
