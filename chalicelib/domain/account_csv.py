"""Reading the core system's daily CSV file: its encoding, its rows (a quoted cell may span lines), a
row's cells. Pure: bytes in, numbered rows and parsed fields out (the import is account_import.py).
"""

from __future__ import annotations

import codecs
import csv


def detect_encoding(data: bytes) -> str:
    """The file's encoding: its BOM, else UTF-8 when most non-ASCII lines decode as UTF-8 (a strict
    encoding: GBK text rarely passes as UTF-8, while UTF-8 text often passes as GB18030), else GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    wide = [line for line in data.splitlines() if not line.isascii()]
    as_utf8 = sum(1 for line in wide if _decodes(line, "utf-8"))
    return "utf-8" if as_utf8 * 2 >= len(wide) else "gb18030"


def _decodes(line: bytes, encoding: str) -> bool:
    try:
        line.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


# A quote left open this many lines is a malformed line, not a cell: it must not swallow the file.
MAX_LINES_PER_ROW = 20


def rows(data: bytes, encoding: str) -> list[tuple[int, str | None]]:
    """(row number, text or None when the row cannot be decoded), blank lines between rows left out.

    A row runs from its first line until its quotes balance, so a quoted cell with a line break stays
    in its row (a CR LF inside a cell is read as LF). Its number is the line it starts on: the unit of the
    cursor, and the same numbers as one row per line gave for files without such cells, so an import
    begun before keeps its place. The split is made on bytes, before decoding: a quote (0x22) or line
    feed (0x0A) is never part of a multi-byte UTF-8 or GB18030 character (their trailing bytes are
    0x80 and up / 0x30 and up), so an undecodable row is still exactly one row. A quote still open after
    MAX_LINES_PER_ROW lines or at the end of the file leaves its first line a row of its own (parsed,
    or refused, alone) and the next line starts the next row."""
    if encoding == "utf-8-sig":
        data, encoding = data[len(codecs.BOM_UTF8) :], "utf-8"
    physical = [raw.rstrip(b"\r") for raw in data.split(b"\n")]
    out: list[tuple[int, str | None]] = []
    first = 0
    while first < len(physical):
        if not physical[first].strip():
            first += 1
            continue
        last, quotes = first, physical[first].count(b'"')
        while quotes % 2 and last + 1 < len(physical) and last + 1 - first < MAX_LINES_PER_ROW:
            last += 1
            quotes += physical[last].count(b'"')
        if quotes % 2:
            last = first
        raw = b"\n".join(physical[first : last + 1])
        try:
            out.append((first + 1, raw.decode(encoding)))
        except UnicodeDecodeError:
            out.append((first + 1, None))
        first = last + 1
    return out


def parse_row(header: list[str], text: str) -> tuple[dict | None, dict | None]:
    """(event fields, None) or (None, the row's error). Empty cells are fields the row's type has not."""
    try:
        # strict: a quoted cell never closed (a row that ran out of lines) is refused, not read as text
        cells = next(csv.reader([text], strict=True))
    except (csv.Error, StopIteration):
        return None, _error("the row is not valid CSV", "row")
    if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
        return None, _error(f"{len(cells)} cells for {len(header)} columns", "row")
    return {k: v.strip() for k, v in zip(header, cells, strict=False) if k and v.strip()}, None


def _error(message: str, field: str) -> dict:
    return {
        "status": "rejected",
        "event_id": None,
        "reason": f"{field}: {message}",
        "details": [{"field": field, "message": message}],
    }
