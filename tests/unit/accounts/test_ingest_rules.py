"""The feed's ingest rules on the fakes: exactly once by event id, retry-safe, effects written with the event."""

from __future__ import annotations

from boto3.dynamodb.types import TypeDeserializer

from chalicelib.domain import accounts
from chalicelib.domain.account_ports import ACCOUNTS, CLIENT_PII, AccountChangedMeanwhile
from chalicelib.domain.outbox_handlers import ACCOUNT_CONVERSION, CONTACT_RESUME
from chalicelib.errors import TooManyRequests
from chalicelib.storage.memory.accounts import MemoryAccountRepository, MemoryClientSealer
from tests.factories.accounts import contact_changed, opened, phone, trade, transfer_out

_plain = TypeDeserializer()


def effects(repo) -> list[dict]:
    """The outbox entries written with the events (the fake keeps their transaction items as given)."""
    return [{k: _plain.deserialize(v) for k, v in op["Put"]["Item"].items()} for op in repo.effects]


def test_an_event_is_applied_once_and_its_second_delivery_is_a_duplicate(repo):
    event = opened("ac-1", event_id="ev-open")
    assert [r["status"] for r in accounts.ingest([event])] == ["accepted"]
    assert [r["status"] for r in accounts.ingest([event])] == ["duplicate"]
    assert repo.accounts["ac-1"]["version"] == 1 and list(repo.events) == ["ev-open"]


def test_the_stored_event_keeps_the_sealed_phone_never_the_clear_one(repo, sealer):
    accounts.ingest([opened("ac-1", event_id="ev-open")])
    payload = repo.events["ev-open"]["payload"]
    assert "phone" not in payload and "id_number" not in payload
    assert sealer.unseal(payload["phone_sealed"]) == phone(1)
    assert repo.accounts["ac-1"]["phone_hash"] == sealer.phone_hash(phone(1))


def test_the_same_event_id_for_a_different_event_is_rejected_naming_the_field(repo):
    accounts.ingest([trade("ac-1", "2026-11-18", event_id="ev-1")])
    [result] = accounts.ingest([trade("ac-1", "2026-11-19", event_id="ev-1")])
    assert result["status"] == "rejected" and result["details"][0]["field"] == "event_id"
    assert repo.accounts["ac-1"]["last_trade_on"] == "2026-11-18"


def test_the_same_event_through_the_api_and_the_file_is_one_event(repo):
    # The API's JSON number and the file's text cell give the same canonical body.
    accounts.ingest([transfer_out("ac-1", "600000.00", "1000000", event_id="ev-x")])
    [again] = accounts.ingest([transfer_out("ac-1", "600000", "1000000.0", event_id="ev-x")], source="s3:f", rows=[4])
    assert again["status"] == "duplicate"


def test_an_account_changed_meanwhile_is_read_again_and_the_event_applied_on_top(sealer):
    class Raced(MemoryAccountRepository):
        raced = False

        def write_event(self, applied):
            if not self.raced and applied.previous_version:
                # Another event of the account lands between this one's read and its write.
                self.raced = True
                self.accounts["ac-1"] = {**self.accounts["ac-1"], "version": 2, "last_trade_on": "2026-11-19"}
                raise AccountChangedMeanwhile("ac-1")
            super().write_event(applied)

    with ACCOUNTS.override(Raced()) as repo:
        accounts.ingest([trade("ac-1", "2026-11-10", event_id="ev-1")])
        [result] = accounts.ingest([trade("ac-1", "2026-11-12", event_id="ev-2")])
    assert result["status"] == "accepted" and repo.raced
    # Re-applied on the newer state: the later trade date stays, the version moves past the other writer's.
    assert repo.accounts["ac-1"]["last_trade_on"] == "2026-11-19" and repo.accounts["ac-1"]["version"] == 3


def test_an_account_that_never_stops_changing_is_a_retryable_rejection(sealer):
    class Busy(MemoryAccountRepository):
        def write_event(self, applied):
            raise AccountChangedMeanwhile(applied.account["account_id"])

    with ACCOUNTS.override(Busy()) as repo:
        [result] = accounts.ingest([trade("ac-1", "2026-11-10")])
    assert result["status"] == "rejected" and result["retryable"] is True and repo.events == {}


def test_a_throttled_account_leaves_its_later_events_for_a_resend_and_other_accounts_go_on(sealer):
    class Throttled(MemoryAccountRepository):
        def write_event(self, applied):
            if applied.account["account_id"] == "ac-2":
                raise TooManyRequests("the database is busy, retry shortly")
            super().write_event(applied)

    events = [trade("ac-2", "2026-11-10"), trade("ac-1", "2026-11-10"), trade("ac-2", "2026-11-11")]
    with ACCOUNTS.override(Throttled()) as repo:
        results = accounts.ingest(events)
    assert [(r["status"], r["retryable"]) for r in results] == [("rejected", True), ("accepted", False)] + [
        ("rejected", True)
    ]
    assert list(repo.accounts) == ["ac-1"]


def test_an_opening_writes_its_conversion_with_the_account_and_a_new_phone_its_resumption(repo):
    accounts.ingest([opened("ac-1", event_id="ev-open")])
    assert [e["kind"] for e in effects(repo)] == [ACCOUNT_CONVERSION]
    repo.accounts["ac-1"]["contact_needs_update"] = True
    accounts.ingest([contact_changed("ac-1", phone(7), "2026-11-20T09:00:00+08:00", event_id="ev-phone")])
    assert [e["kind"] for e in effects(repo)] == [ACCOUNT_CONVERSION, CONTACT_RESUME]
    assert "contact_needs_update" not in repo.accounts["ac-1"]


def test_during_a_key_rotation_the_conversion_carries_the_hashes_under_every_key(repo):
    with CLIENT_PII.override(MemoryClientSealer(("k2", "k1"))) as sealer:
        accounts.ingest([opened("ac-1", event_id="ev-open")])
    payload = effects(repo)[0]["payload"]
    assert payload["phone_hashes"] == sealer.phone_hashes(phone(1)) and len(payload["phone_hashes"]) == 2


def test_a_row_applied_before_its_answer_was_lost_counts_as_its_own(repo):
    event = trade("ac-1", "2026-11-10", event_id="ev-1")
    accounts.ingest([event], source="s3:file", rows=[7])
    [own] = accounts.ingest([event], source="s3:file", rows=[7])
    [other] = accounts.ingest([event], source="s3:file", rows=[8])
    assert own["status"] == other["status"] == "duplicate" and own["own"] and not other["own"]


def test_a_second_opening_is_rejected_unless_it_is_the_same_event(repo):
    accounts.ingest([opened("ac-1", event_id="ev-open")])
    assert accounts.ingest([opened("ac-1", event_id="ev-open")])[0]["status"] == "duplicate"
    [again] = accounts.ingest([opened("ac-1", event_id="ev-open-2")])
    assert again["status"] == "rejected" and again["reason"] == "account already opened"


def test_a_feed_classification_is_kept_as_a_class_change_with_the_event(repo):
    event = {
        "type": "value_class_changed",
        "event_id": "ev-class",
        "account_id": "ac-1",
        "value_class": "A",
        "classified_at": "2026-11-20T08:00:00+08:00",
    }
    [result] = accounts.ingest([event])
    assert result["status"] == "accepted", result
    [(key, change)] = repo.class_changes.items()
    assert key[1].endswith("#ev-class") and change["source"] == "feed" and "previous_class" not in change


def test_a_large_outflow_waits_in_the_selection_inbox(repo):
    accounts.ingest([opened("ac-1", event_id="ev-open")])
    accounts.ingest([transfer_out("ac-1", "600000", "1000000", "2026-11-20T09:00:00+08:00", event_id="ev-out")])
    entry = repo.inbox[("ac-1", "large_outflow", "2026-11-20")]
    assert [t["event_id"] for t in entry["transfers"]] == ["ev-out"]
    assert [r["large"] for r in repo.transfers.values()] == [True]
