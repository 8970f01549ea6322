"""docs/operations.md's table of callback deadlines says what the settings do."""

from __future__ import annotations

import re
from pathlib import Path

from chalicelib.config import Settings


def test_the_deadline_table_matches_the_settings_defaults():
    text = Path(__file__).resolve().parents[2].joinpath("docs/operations.md").read_text(encoding="utf-8")
    section = text.split("## Callback deadlines and the quarterly cap")[1].split("\n## ")[0]
    rows = dict(re.findall(r"`FIELDDESK_(DEADLINE_[A-Z_]+)` \| `([^`]+)`", section))
    defaults = {
        name.upper(): field.default for name, field in Settings.model_fields.items() if name.startswith("deadline_")
    }
    assert rows == defaults
