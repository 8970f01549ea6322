"""Phone and ID numbers never reach a log line, even by accident."""
from __future__ import annotations

import json
import logging

from chalicelib.models.pii import id_check_digit
from chalicelib.observability import RedactingFormatter, redact


def test_redact_masks_phones_and_id_numbers():
    first17 = "11010519491231002"
    id_number = first17 + id_check_digit(first17)
    text = redact(f"call 13912345678 or +8613812345678, id {id_number}, order 2026112012345678901")
    assert "13912345678" not in text and "13812345678" not in text and id_number not in text
    assert "[phone-redacted]" in text and "[id-redacted]" in text


def test_formatter_redacts_messages_and_extra_fields():
    formatter = RedactingFormatter()
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "client 13912345678 called", None, None)
    record.contact = "13700001111"
    line = formatter.format(record)
    assert "13912345678" not in line and "13700001111" not in line
    json.loads(line)


def test_a_request_with_a_phone_logs_no_phone(api):
    import io

    from chalicelib import clock
    from chalicelib.observability import logger

    handler = logger.handlers[0]  # the real handler and formatter, writing somewhere we can read
    sink = io.StringIO()
    previous = handler.setStream(sink)
    logger.setLevel("DEBUG")
    try:
        with clock.freeze("2026-11-20T16:00:00+08:00"):
            api.post("/v1/visits", {"kind": "phone", "visited_at": "2026-11-20T10:00:00+08:00",
                                    "unit_name": "某单位", "person_met": "王", "person_contact": "13912345678",
                                    "discussed": "x"}, as_="cm-001")
    finally:
        logger.setLevel("INFO")
        handler.setStream(previous)
    out = sink.getvalue()
    assert '"path":"/v1/visits"' in out.replace(" ", "")  # the access log was written
    assert "13912345678" not in out
