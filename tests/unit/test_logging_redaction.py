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
            api.post(
                "/v1/visits",
                {
                    "kind": "phone",
                    "visited_at": "2026-11-20T10:00:00+08:00",
                    "unit_name": "某单位",
                    "person_met": "王",
                    "person_contact": "13912345678",
                    "discussed": "x",
                },
                as_="cm-001",
            )
    finally:
        logger.setLevel("INFO")
        handler.setStream(previous)
    out = sink.getvalue()
    assert '"path":"/v1/visits"' in out.replace(" ", "")  # the access log was written
    assert "13912345678" not in out


def _line(message, **extra) -> dict:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, message, None, None)
    for name, value in extra.items():
        setattr(record, name, value)
    return json.loads(RedactingFormatter().format(record))


def test_ids_pass_unchanged_while_numbers_beside_them_are_masked():
    """Issue 16: the redactor rewrote request ids. Ids of any kind now pass through as they are."""
    ids = {
        "request_id": "6f1e2a13-8123-4abc-9def-a13812345678",  # a UUID holding a phone-like run
        "task_id": "13912345678",  # an id that is all phone-like digits
        "key_id": "11010519491231002X",  # shaped like an ID number
        "outlet_ids": ["13700001111", "ot-1"],
        "id": "13600001111",
    }
    line = _line(
        "client 13912345678 called about 11010519491231002X",
        **ids,
        contact="13700001111",
        nested={"phone": "+8613812345678", "prospect_id": "13812345678"},
        count=13512345678,
    )
    for name, value in ids.items():
        assert line[name] == value, name
    assert line["nested"]["prospect_id"] == "13812345678"
    assert "13912345678" not in line["message"] and "11010519491231002X" not in line["message"]
    assert line["contact"] == "[phone-redacted]" and line["nested"]["phone"] == "[phone-redacted]"
    assert line["count"] == "[phone-redacted]"


def test_ids_inside_text_are_not_phones():
    for text in (
        "request 6f1e2a13-8123-4abc-9def-a13812345678 failed",
        "task c0ffee13812345678beef",
        "trace 1-67a0b2c3-13812345678abcdef0123456",
        "order 2026112012345678901",
    ):
        assert redact(text) == text
    for text in ("电话13812345678", "tel:13812345678", "phone=+8613812345678", "(13812345678)"):
        assert "13812345678" not in redact(text), text


def test_the_clients_request_id_is_its_text_and_masked_if_it_is_a_phone():
    line = _line("x", client_request_id="13812345678", request_id="13812345678")
    assert line["client_request_id"] == "[phone-redacted]" and line["request_id"] == "13812345678"
