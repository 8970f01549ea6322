"""What an item looks like once it went through DynamoDB, for the in-memory fakes: None attributes are not
stored, dates become ISO strings, enums their values, numbers Decimal (ints come back as Decimal); every
read is a copy."""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

_FEN = Decimal("0.01")


def stored(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: stored(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [stored(v) for v in value]
    return value


def read(value: Any) -> Any:
    return copy.deepcopy(value)


def fen(value: Any) -> Any:
    """Money read back to the fen, as storage/penalties.py reads it (keys ending in yuan)."""
    if isinstance(value, dict):
        return {
            k: (v.quantize(_FEN) if isinstance(v, Decimal) and k.endswith("yuan") else fen(v)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [fen(v) for v in value]
    return value


def page(rows: list[tuple[str, dict]], limit: int, start_key: dict | None, *, newest_first: bool):
    """`rows` are (index sort key, item); the page key is the last sort key returned (opaque to the rules)."""
    rows = sorted(rows, key=lambda r: r[0], reverse=newest_first)
    if start_key:
        after = start_key["after"]
        rows = [r for r in rows if (r[0] < after if newest_first else r[0] > after)]
    shown = rows[:limit]
    return [r[1] for r in shown], ({"after": shown[-1][0]} if len(rows) > limit else None)
