"""Every DynamoDB key FieldDesk writes, in one place.

One table, `pk`/`sk`, six overloaded GSIs (`gsi1`..`gsi6`, each `gsiNpk`/`gsiNsk`).
docs/data-model.md lists the access pattern each key serves. Selection GSIs are
sparse (the attribute exists only while the item is a candidate) and date
bucketed, sharded by `shard()` so a hot day spreads over several partitions.
"""

from __future__ import annotations

import hashlib
from datetime import date

PROFILE = "PROFILE"


def shard(entity_id: str, shards: int) -> int:
    return int(hashlib.sha256(entity_id.encode()).hexdigest()[:8], 16) % max(shards, 1)


def month_of(day: date | str) -> str:
    return str(day)[:7]


# --- branches, staff, outlets, outlet API keys -----------------------------------
def branch(branch_id: str) -> dict:
    return {"pk": f"BRANCH#{branch_id}", "sk": PROFILE, "gsi2pk": "BRANCHES", "gsi2sk": branch_id}


def staff(staff_id: str) -> dict:
    return {"pk": f"STAFF#{staff_id}", "sk": PROFILE}


def staff_indexes(staff_id: str, branch_id: str, role: str) -> dict:
    # gsi1: a branch's staff by role; gsi2: all staff (admin directory).
    return {
        "gsi1pk": f"BRANCH#{branch_id}#STAFF",
        "gsi1sk": f"{role}#{staff_id}",
        "gsi2pk": "STAFF",
        "gsi2sk": staff_id,
    }


def staff_departed_index(departed_on: date | str, staff_id: str) -> dict:
    # gsi3: who departed on a day (departed-manager callback selection).
    return {"gsi3pk": f"DEPARTED#{departed_on}", "gsi3sk": staff_id}


def outlet(outlet_id: str) -> dict:
    return {"pk": f"OUTLET#{outlet_id}", "sk": PROFILE}


def outlet_indexes(outlet_id: str, branch_id: str) -> dict:
    return {"gsi1pk": f"BRANCH#{branch_id}#OUTLETS", "gsi1sk": outlet_id, "gsi2pk": "OUTLETS", "gsi2sk": outlet_id}


def api_key(key_id: str) -> dict:
    return {"pk": f"APIKEY#{key_id}", "sk": "KEY"}


def api_key_indexes(outlet_id: str, created_at: str, key_id: str) -> dict:
    return {"gsi1pk": f"OUTLET#{outlet_id}#KEYS", "gsi1sk": f"{created_at}#{key_id}"}


# --- visit logs --------------------------------------------------------------------
def visit(visit_id: str) -> dict:
    return {"pk": f"VISIT#{visit_id}", "sk": "VISIT"}


def visit_indexes(manager_id: str, branch_id: str, visited_at: str, visit_id: str) -> dict:
    # gsi1: a manager's logs by time; gsi2: a branch's logs by time.
    return {
        "gsi1pk": f"STAFF#{manager_id}#VISITS",
        "gsi1sk": f"{visited_at}#{visit_id}",
        "gsi2pk": f"BRANCH#{branch_id}#VISITS",
        "gsi2sk": f"{visited_at}#{visit_id}",
    }


def visit_version(visit_id: str, version: int) -> dict:
    # A log as it stood before a same-day amendment (never overwritten: records are kept, DOMAIN 5).
    return {"pk": f"VISIT#{visit_id}", "sk": f"VERSION#{int(version):04d}"}


VISIT_VERSION_PREFIX = "VERSION#"


def week_signoff(manager_id: str, iso_week: str) -> dict:
    return {"pk": f"STAFF#{manager_id}", "sk": f"SIGNOFF#{iso_week}"}


# --- intent clients (prospects) ----------------------------------------------------
def prospect(prospect_id: str) -> dict:
    return {"pk": f"PROSPECT#{prospect_id}", "sk": PROFILE}


def prospect_owner_index(owner_id: str, next_follow_up: str, prospect_id: str) -> dict:
    # gsi1: my prospects, soonest next follow-up first.
    return {"gsi1pk": f"OWNER#{owner_id}#PROSPECTS", "gsi1sk": f"{next_follow_up}#{prospect_id}"}


def prospect_pool_index(branch_id: str, released_at: str, prospect_id: str) -> dict:
    # gsi2 (sparse): the branch pool (公海).
    return {"gsi2pk": f"BRANCH#{branch_id}#POOL", "gsi2sk": f"{released_at}#{prospect_id}"}


def prospect_lapse_index(protected_until: date | str, prospect_id: str) -> dict:
    # gsi3 (sparse while protected): claims lapsing on a day, for the daily release job.
    return {"gsi3pk": f"LAPSE#{protected_until}", "gsi3sk": prospect_id}


def prospect_first_contact_index(first_contact_due: date | str, prospect_id: str) -> dict:
    # gsi5 (sparse while owned, active, never followed up and not yet escalated for this due day): prospects
    # whose first contact (000 第四篇: three days) fell due on a day, for the daily first-contact job.
    return {"gsi5pk": f"FIRSTCONTACT#{first_contact_due}", "gsi5sk": prospect_id}


def prospect_outlet_index(outlet_id: str, created_at: str, prospect_id: str) -> dict:
    # gsi4: an outlet's referrals.
    return {"gsi4pk": f"OUTLET#{outlet_id}#REFERRALS", "gsi4sk": f"{created_at}#{prospect_id}"}


def claim_phone(phone_hash: str) -> dict:
    return {"pk": f"CLAIM#PHONE#{phone_hash}", "sk": "CLAIM"}


def claim_id_number(id_hash: str) -> dict:
    return {"pk": f"CLAIM#IDNO#{id_hash}", "sk": "CLAIM"}


def follow_up(prospect_id: str, at: str, follow_up_id: str) -> dict:
    return {"pk": f"PROSPECT#{prospect_id}", "sk": f"FOLLOWUP#{at}#{follow_up_id}"}


def collision(collision_id: str) -> dict:
    return {"pk": f"COLLISION#{collision_id}", "sk": "COLLISION"}


def collision_indexes(branch_id: str, prospect_id: str, at: str, collision_id: str) -> dict:
    return {
        "gsi2pk": f"BRANCH#{branch_id}#COLLISIONS",
        "gsi2sk": f"{at}#{collision_id}",
        "gsi1pk": f"PROSPECT#{prospect_id}#COLLISIONS",
        "gsi1sk": f"{at}#{collision_id}",
    }


def collision_for_attempting_branch(collision_id: str, branch_id: str, at: str) -> dict:
    # A cross-branch collision is listed for the attempting branch too, as a separate, detail-free item.
    return {
        "pk": f"COLLISION#{collision_id}",
        "sk": f"ATTEMPT#{branch_id}",
        "gsi2pk": f"BRANCH#{branch_id}#COLLISIONS",
        "gsi2sk": f"{at}#{collision_id}",
    }


def pool_picks(manager_id: str, day: date | str) -> dict:
    return {"pk": f"STAFF#{manager_id}", "sk": f"POOLPICK#{day}"}


def conversion(account_id: str) -> dict:
    return {"pk": f"ACCOUNT#{account_id}", "sk": "CONVERSION"}


def conversion_index(branch_id: str, converted_on: date | str, account_id: str) -> dict:
    return {
        "gsi2pk": f"BRANCH#{branch_id}#CONVERSIONS#{month_of(converted_on)}",
        "gsi2sk": f"{converted_on}#{account_id}",
    }


def prospect_month_stats(manager_id: str, month: str) -> dict:
    # Counters: prospects a manager registered / converted in a month (penalties scorecard).
    return {"pk": f"STAFF#{manager_id}", "sk": f"PROSPECTSTATS#{month}"}


def outlet_key_slots(outlet_id: str) -> dict:
    # Counter of an outlet's active API keys: at most two (rotation), enforced by condition.
    return {"pk": f"OUTLET#{outlet_id}", "sk": "KEYSLOTS"}


# --- disclosure audit (PIPL) ------------------------------------------------------
def reveal_audit(at: str, audit_id: str) -> dict:
    return {"pk": f"AUDIT#REVEAL#{month_of(at)}", "sk": f"{at}#{audit_id}"}


def reveal_budget(actor_id: str, day: date | str) -> dict:
    # One counter per person and day: the reveals they were granted (the daily budget, issue 16).
    return {"pk": f"REVEALS#{actor_id}", "sk": f"DAY#{day}"}


def registration_quota(manager_id: str, day: date | str) -> dict:
    # A manager's registration attempts of a day (the daily quota, issue 16 §7).
    return {"pk": f"STAFF#{manager_id}", "sk": f"REGISTRATIONS#{day}"}


def reveal_audit_subject_index(subject_kind: str, subject_id: str, at: str, audit_id: str) -> dict:
    return {"gsi1pk": f"SUBJECT#{subject_kind}#{subject_id}#AUDIT", "gsi1sk": f"{at}#{audit_id}"}


# --- penalties ---------------------------------------------------------------------
def rule_version(scope: str, effective_from: date | str) -> dict:
    # scope: "GLOBAL" or "BRANCH#<id>"; the version in force is the last <= breach date.
    return {"pk": f"RULES#{scope}", "sk": f"VERSION#{effective_from}"}


def rule_head(scope: str) -> dict:
    # The scope's revision, moved by every version added: a cached catalogue is checked against it by the
    # penalty's transaction. "HEAD" sorts before every "VERSION#": one query reads the scope with its head.
    return {"pk": f"RULES#{scope}", "sk": "HEAD"}


def penalty_ledger(manager_id: str, month: str) -> dict:
    # A manager's active penalties of a breach month (YYYY-MM) and the flags raised for it, written in each
    # penalty's transaction: the escalation rules read this one item, not the month.
    return {"pk": f"STAFF#{manager_id}", "sk": f"PENALTYLEDGER#{month}"}


def penalty(penalty_id: str) -> dict:
    return {"pk": f"PENALTY#{penalty_id}", "sk": "PENALTY"}


def penalty_indexes(manager_id: str, branch_id: str, breach_date: date | str, penalty_id: str) -> dict:
    return {
        "gsi1pk": f"STAFF#{manager_id}#PENALTIES",
        "gsi1sk": f"{breach_date}#{penalty_id}",
        "gsi2pk": f"BRANCH#{branch_id}#PENALTIES",
        "gsi2sk": f"{breach_date}#{penalty_id}",
    }


def penalty_due_index(due_on: date | str, penalty_id: str) -> dict:
    # gsi3 (sparse while open and payable in cash): the overdue sweep reads one day.
    return {"gsi3pk": f"PENALTYDUE#{due_on}", "gsi3sk": penalty_id}


def penalty_audit(penalty_id: str, at: str) -> dict:
    return {"pk": f"PENALTY#{penalty_id}", "sk": f"AUDIT#{at}"}


def penalty_reversal(penalty_id: str) -> dict:
    # One reversal entry per penalty (void or overturned appeal); the original stays.
    return {"pk": f"PENALTY#{penalty_id}", "sk": "REVERSAL"}


def flag(flag_id: str) -> dict:
    return {"pk": f"FLAG#{flag_id}", "sk": "FLAG"}


def flag_indexes(branch_id: str, staff_id: str, at: str, flag_id: str) -> dict:
    return {
        "gsi1pk": f"STAFF#{staff_id}#FLAGS",
        "gsi1sk": f"{at}#{flag_id}",
        "gsi2pk": f"BRANCH#{branch_id}#FLAGS",
        "gsi2sk": f"{at}#{flag_id}",
    }


# --- accounts and the feed -----------------------------------------------------------
def account(account_id: str) -> dict:
    return {"pk": f"ACCOUNT#{account_id}", "sk": PROFILE}


def account_manager_index(manager_id: str, account_id: str) -> dict:
    # gsi1: the accounts a manager serves (departed-manager selection).
    return {"gsi1pk": f"MGR#{manager_id}#ACCOUNTS", "gsi1sk": account_id}


def account_opened_index(opened_on: date | str, account_id: str, shards: int) -> dict:
    return {"gsi3pk": f"OPENED#{opened_on}#{shard(account_id, shards)}", "gsi3sk": account_id}


def account_activity_index(last_activity_on: date | str, account_id: str, shards: int) -> dict:
    # gsi4: accounts whose last trade (or opening) was on a day; moves forward with each trade.
    return {"gsi4pk": f"ACTIVE#{last_activity_on}#{shard(account_id, shards)}", "gsi4sk": account_id}


def account_closed_index(closed_on: date | str, account_id: str, shards: int) -> dict:
    return {"gsi5pk": f"CLOSED#{closed_on}#{shard(account_id, shards)}", "gsi5sk": account_id}


def account_periodic_index(tier: str, phase: int, account_id: str, shards: int) -> dict:
    # gsi6: tier accounts whose periodic callback falls on days with this phase.
    return {"gsi6pk": f"PERIODIC#{tier}#{phase}#{shard(account_id, shards)}", "gsi6sk": account_id}


def account_contacts(account_id: str, manager_id: str) -> dict:
    """The weeks a manager contacted the client and the months they visited (contact plan, 002 第十九条)."""
    return {"pk": f"ACCOUNT#{account_id}", "sk": f"CONTACTS#{manager_id}"}


def account_class_change(account_id: str, at: str) -> dict:
    return {"pk": f"ACCOUNT#{account_id}", "sk": f"CLASS#{at}"}


def account_event(event_id: str) -> dict:
    return {"pk": f"ACCOUNTEVENT#{event_id}", "sk": "EVENT"}


def transfer_out(account_id: str, at: str, event_id: str) -> dict:
    return {"pk": f"ACCOUNT#{account_id}", "sk": f"TXOUT#{at}#{event_id}"}


def large_outflow_index(on: date | str, account_id: str, event_id: str, shards: int) -> dict:
    # gsi3 (sparse: large outflows only).
    return {"gsi3pk": f"OUTFLOW#{on}#{shard(account_id, shards)}", "gsi3sk": f"{account_id}#{event_id}"}


def selection_inbox(account_id: str, trigger: str, episode: str) -> dict:
    """An account event waiting for selection (new account, closure, large outflow, transfer out)."""
    return {"pk": f"ACCOUNT#{account_id}", "sk": f"SELECT#{trigger}#{episode}"}


# Partitions of one shard's inbox (issue 18): a fanned-out shard's run consumes every entry of its shard,
# 10% of its writes, which on one key was 8.9% of them (the hot-key share is <= 5%).
INBOX_PARTS = 4


def selection_inbox_index(event_on: date | str, trigger: str, account_id: str, episode: str, shards: int) -> dict:
    # gsi2 (sparse while waiting): every run reads what arrived since the last one, whatever date the
    # event carries, so a late file or a late posting is still selected (issue 12). The part is the
    # entry's own (a feed extending it keeps it where it is).
    part = shard(f"{account_id}#{trigger}#{episode}", INBOX_PARTS)
    return {
        "gsi2pk": f"SELECT#{shard(account_id, shards)}#{part}",
        "gsi2sk": f"{event_on}#{trigger}#{account_id}#{episode}",
    }


def selection_inbox_partitions(shard_number: int) -> list[str]:
    """Every gsi2 partition a shard's waiting entries may sit in: its parts, and the key written before
    they were split (entries waiting since then are still read; it empties as they are selected)."""
    return [f"SELECT#{shard_number}#{p}" for p in range(INBOX_PARTS)] + [f"SELECT#{shard_number}"]


def departure_pending_index(departed_on: date | str, staff_id: str) -> dict:
    # gsi5 on the staff item (sparse until its clients' callbacks were selected), whatever date it carries.
    return {"gsi5pk": "SELECT#DEPARTED", "gsi5sk": f"{departed_on}#{staff_id}"}


def import_summary(source: str) -> dict:
    return {"pk": f"IMPORT#{source}", "sk": "SUMMARY"}


def import_row_error(source: str, row: int) -> dict:
    # A refused row of an imported file, its own item: many bad rows never grow the summary item.
    return {"pk": f"IMPORT#{source}", "sk": f"ROW#{int(row):09d}"}


IMPORT_ROW_ERROR_PREFIX = "ROW#"


def import_incomplete_index(started_at: str, source: str) -> dict:
    # gsi3 (sparse until completed): the resume job reads the imports still to finish.
    return {"gsi3pk": "IMPORT#INCOMPLETE", "gsi3sk": f"{started_at}#{source}"}


# --- callback tasks ------------------------------------------------------------------
def callback_task_id(trigger: str, account_id: str, episode: str) -> str:
    """Deterministic: one task per account, trigger and episode."""
    return f"{trigger}.{account_id}.{episode}"


def callback_task(task_id: str) -> dict:
    return {"pk": f"TASK#{task_id}", "sk": "TASK"}


QUEUE_RISK, QUEUE_ORDINARY, QUEUE_WAITING = 0, 1, 2


def task_assignee_index(
    agent_id: str | None, branch_id: str, *, rank: int, sort_at: str, window_at: str, priority: int, task_id: str
) -> dict:
    # gsi1 (sparse while open): an agent's open tasks or the branch queue, in the agent's order (issue 13
    # item 8): risk first (rank 0; a task waiting on a contact update last, rank 2), then the deadline (or
    # the client's "call me at T"), then the next best-time window (seed 001), then priority. Times are
    # Asia/Shanghai ISO strings, so the key sorts by time; one query reads a page in this order.
    owner = f"AGENT#{agent_id}#OPEN" if agent_id else f"BRANCH#{branch_id}#QUEUE"
    return {"gsi1pk": owner, "gsi1sk": f"{rank}#{sort_at}#{window_at}#{priority}#{task_id}"}


def task_month_index(branch_id: str, business_date: date | str, task_id: str) -> dict:
    # gsi2: a branch's tasks by month of selection (monthly statistics).
    return {"gsi2pk": f"BRANCH#{branch_id}#TASKS#{month_of(business_date)}", "gsi2sk": f"{business_date}#{task_id}"}


# 16 (was 8): a fanned-out shard's run put 5.2% of its item writes on one of 8 (a November day's ordinary
# reviews all fall due on one date) once the quarter counter's writes were gone. Shards 0-7 of the 8-way
# layout are among the 16 read.
TASK_DUE_SHARDS = 16


def task_due_index(due_on: date | str, task_id: str) -> dict:
    # gsi3 (sparse while open): the overdue sweep reads every shard of the days that fell due. Sharded
    # (issue 18): a day's selection writes hundreds of tasks a second onto one due date.
    return {"gsi3pk": task_due_shard(due_on, shard(task_id, TASK_DUE_SHARDS)), "gsi3sk": task_id}


def task_due_shard(due_on: date | str, shard_no: int) -> str:
    return f"TASKDUE#{due_on}#{shard_no}"


def task_due_partitions(due_on: date | str) -> list[str]:
    """Every gsi3 partition a day's open tasks may sit in: the shards, and the unsharded key written
    before issue 18 (empty once `python -m schedules requeue-tasks` has moved a table's tasks)."""
    return [task_due_shard(due_on, n) for n in range(TASK_DUE_SHARDS)] + [f"TASKDUE#{due_on}"]


def agent_load(agent_id: str) -> dict:
    # An agent's open-task counter, its own item (issue 18): not the indexed staff record, so counting a
    # task writes one small unindexed item and never the shared STAFF index key.
    return {"pk": f"STAFF#{agent_id}", "sk": "LOAD"}


def task_account_partition(account_id: str) -> str:
    """An account's tasks on gsi4, by creation time (its history, and its callbacks of a quarter)."""
    return f"ACCOUNT#{account_id}#TASKS"


def task_account_index(account_id: str, created_at: str, task_id: str) -> dict:
    return {"gsi4pk": task_account_partition(account_id), "gsi4sk": f"{created_at}#{task_id}"}


def task_attempt(task_id: str, at: str) -> dict:
    return {"pk": f"TASK#{task_id}", "sk": f"ATTEMPT#{at}"}


def task_review(task_id: str, at: str) -> dict:
    return {"pk": f"TASK#{task_id}", "sk": f"REVIEW#{at}"}


def task_assignment(task_id: str, assignment_id: str) -> dict:
    # A reassignment in the task's history (its item collection), keyed by the id the domain derives from
    # the task and the revision it moved from: a retried write finds its own entry instead of a second one.
    return {"pk": f"TASK#{task_id}", "sk": f"ASSIGN#{assignment_id}"}


def contact_request(account_id: str, requested_at: str, task_id: str) -> dict:
    # A wrong number's contact-update request, in the account's partition: the feed finds the account's
    # open requests with one query when it brings a new phone.
    return {"pk": f"ACCOUNT#{account_id}", "sk": f"CONTACTREQ#{requested_at}#{task_id}"}


def contact_request_indexes(branch_id: str, due_on: date | str, task_id: str) -> dict:
    # Sparse while open. gsi1: a branch's open requests, earliest deadline first (its supervisor's list);
    # gsi3: requests by deadline day, read by the sweep once the day has passed (letter fallback).
    return {
        "gsi1pk": f"BRANCH#{branch_id}#CONTACTREQS",
        "gsi1sk": f"{due_on}#{task_id}",
        "gsi3pk": f"CONTACTDUE#{due_on}",
        "gsi3sk": task_id,
    }


def problem(problem_id: str) -> dict:
    return {"pk": f"PROBLEM#{problem_id}", "sk": "PROBLEM"}


def problem_indexes(branch_id: str, created_at: str, problem_id: str, status: str, severity: str) -> dict:
    return {
        "gsi2pk": f"BRANCH#{branch_id}#PROBLEMS#{month_of(created_at)}",
        "gsi2sk": f"{created_at}#{problem_id}",
        "gsi1pk": f"PROBLEMS#{status}",
        "gsi1sk": f"{severity}#{created_at}#{problem_id}",
    }


def problem_due_index(due_hour: str, problem_id: str) -> dict:
    # gsi3 (sparse while unresolved): due hour bucket "YYYY-MM-DDTHH", read by the hourly sweep.
    return {"gsi3pk": f"PROBLEMDUE#{due_hour}", "gsi3sk": problem_id}


def year_end_clients(branch_id: str, year: int | str) -> dict:
    # The year-end client count (dormant excluded) set by compliance, for the 10% coverage target.
    return {"pk": f"BRANCH#{branch_id}", "sk": f"YEAREND#{year}"}


# --- jobs ------------------------------------------------------------------------------
def year_end_member(year: int | str, branch_id: str, order: str, account_id: str) -> dict:
    """A client of a branch's year-end denominator (open, not dormant), in the sample's fixed order."""
    return {"pk": f"YEAREND#{year}#{branch_id}", "sk": f"{order}#{account_id}"}


def sample_state(branch_id: str, year: int | str) -> dict:
    # Progress of a year's 10% sample: the cursor in the member order and how many were picked.
    return {"pk": f"BRANCH#{branch_id}", "sk": f"SAMPLE#{year}"}


def sample_day(branch_id: str, day: date | str) -> dict:
    # The clients one date's run picked: a re-run picks the same ones.
    return {"pk": f"BRANCH#{branch_id}", "sk": f"SAMPLEDAY#{day}"}


def calendar_version(year: int | str, version: int) -> dict:
    """One published arrangement of a year (holidays, make-up working days); versions are never overwritten."""
    return {"pk": f"CALENDAR#{year}", "sk": f"VERSION#{int(version):04d}"}


# 16 (was 8): with the quarter counter's writes gone a fanned-out shard's run had 5.2% of its item writes on
# one of 8 (40% of a November day's tasks fall due next year). Shards 0-7 of the 8-way layout are among
# the 16 read, so tasks written before are still found.
TASK_PROVISIONAL_SHARDS = 16


def task_provisional_index(year: int | str, task_id: str) -> dict:
    # gsi5 (sparse while open with a provisional due date): recomputed when the year is published. Sharded
    # (issue 18): in November every task due next year, before its calendar is out, lands on one year key
    # (13.6% of a run's item writes in the replay, against the 5% target).
    return {"gsi5pk": f"PROVISIONAL#{year}#{shard(task_id, TASK_PROVISIONAL_SHARDS)}", "gsi5sk": task_id}


def task_provisional_partitions(year: int | str) -> list[str]:
    """Every gsi5 partition a year's provisional tasks may sit in: the shards, and the unsharded key
    written before issue 18 (a task there is moved when it is next written or recomputed)."""
    return [f"PROVISIONAL#{year}#{n}" for n in range(TASK_PROVISIONAL_SHARDS)] + [f"PROVISIONAL#{year}"]


def job_watermark(job: str) -> dict:
    return {"pk": f"JOB#{job}", "sk": "WATERMARK"}


def job_run(job: str, business_date: date | str) -> dict:
    return {"pk": f"JOB#{job}", "sk": f"RUN#{business_date}"}


def job_shard_run(job: str, business_date: date | str, shard_no: int) -> dict:
    # One record per (date, shard) of a fanned-out run, next to the date's run record (one query reads them).
    return {"pk": f"JOB#{job}", "sk": f"RUN#{business_date}#SHARD#{shard_no:03d}"}


# --- outbox: side effects recorded with the change that causes them ---------------------------
OUTBOX_SHARDS = 4


def outbox_entry(entry_id: str) -> dict:
    return {"pk": f"OUTBOX#{entry_id}", "sk": "OUTBOX"}


def outbox_pending_index(entry_id: str, due_at: str) -> dict:
    # gsi3 (sparse while pending): the delivery sweep reads what is due, shard by shard; removed on delivery.
    return {"gsi3pk": outbox_pending_shard(shard(entry_id, OUTBOX_SHARDS)), "gsi3sk": f"{due_at}#{entry_id}"}


def outbox_pending_shard(shard_no: int) -> str:
    return f"OUTBOXPENDING#{shard_no}"


def outbox_delivered_index(entry_id: str, delivered_at: str) -> dict:
    # gsi1 (set on delivery): the operator view of what was delivered in a month, newest first. A month
    # partition takes one write per delivered side effect (escalations, conversions), never per request.
    return {"gsi1pk": f"OUTBOXDELIVERED#{month_of(delivered_at)}", "gsi1sk": f"{delivered_at}#{entry_id}"}


def outbox_delivered_month(month: str) -> str:
    return f"OUTBOXDELIVERED#{month}"


# --- privilege: four-eyes requests and the staff change log (issue 16 §3) ----------------
def privilege_request(request_id: str) -> dict:
    return {"pk": f"PRIVREQ#{request_id}", "sk": "REQUEST"}


def privilege_request_index(status: str, requested_at: str, request_id: str) -> dict:
    # gsi1: requests by status, oldest first (the approvers' queue).
    return {"gsi1pk": f"PRIVREQS#{status}", "gsi1sk": f"{requested_at}#{request_id}"}


def staff_change(staff_id: str, at: str, change_id: str) -> dict:
    # On the member's own partition (their history) and, through gsi1, a month's changes for compliance.
    return {
        "pk": f"STAFF#{staff_id}",
        "sk": f"CHANGE#{at}#{change_id}",
        "gsi1pk": f"STAFFCHANGES#{month_of(at)}",
        "gsi1sk": f"{at}#{change_id}",
    }


# --- complaints 投诉 (002 第二十条 §4) --------------------------------------------------------
COMPLAINT_DUE_SHARDS = 4


def complaint(complaint_id: str) -> dict:
    return {"pk": f"COMPLAINT#{complaint_id}", "sk": "COMPLAINT"}


def complaint_indexes(branch_id: str, owner_id: str | None, received_at: str, complaint_id: str) -> dict:
    # gsi2: a branch's complaints by time of receipt; gsi1: an owner's (my complaints, the scorecard's month).
    # An unowned complaint waits in its branch's list until the supervisor assigns it.
    item = {"gsi2pk": f"BRANCH#{branch_id}#COMPLAINTS", "gsi2sk": f"{received_at}#{complaint_id}"}
    if owner_id:
        item.update(gsi1pk=f"STAFF#{owner_id}#COMPLAINTS", gsi1sk=f"{received_at}#{complaint_id}")
    return item


def complaint_due_index(due_hour: str, complaint_id: str) -> dict:
    # gsi3 (sparse while unresolved and not escalated): due hour "YYYY-MM-DDTHH", sharded so a busy hour
    # spreads over several partitions; the hourly sweep reads every shard of the hours that passed.
    return {"gsi3pk": f"COMPLAINTDUE#{due_hour}#{shard(complaint_id, COMPLAINT_DUE_SHARDS)}", "gsi3sk": complaint_id}


# --- travel 出差 (000 第二篇 §1; 004: daily report by 21:00) ------------------------------------
TRAVEL_DUE_SHARDS = 4


def travel_period(travel_id: str) -> dict:
    return {"pk": f"TRAVEL#{travel_id}", "sk": "TRAVEL"}


def travel_period_indexes(manager_id: str, branch_id: str, start_on: str, travel_id: str) -> dict:
    # gsi1: a manager's periods by start date; gsi2: a branch's (the supervisor's approvals).
    return {
        "gsi1pk": f"STAFF#{manager_id}#TRAVEL",
        "gsi1sk": f"{start_on}#{travel_id}",
        "gsi2pk": f"BRANCH#{branch_id}#TRAVEL",
        "gsi2sk": f"{start_on}#{travel_id}",
    }


def travel_day(manager_id: str, day: date | str) -> dict:
    # One item per manager and travel day: a day is covered by one approved period and reported once.
    return {"pk": f"TRAVELDAY#{manager_id}#{day}", "sk": "DAY"}


def travel_day_due_index(due_hour: str, manager_id: str, day: date | str) -> dict:
    # gsi3 (sparse while no on-time report and no proposal): the hour the report falls due, sharded;
    # the hourly sweep reads the hours that passed.
    return {
        "gsi3pk": f"TRAVELDUE#{due_hour}#{shard(f'{manager_id}#{day}', TRAVEL_DUE_SHARDS)}",
        "gsi3sk": f"{manager_id}#{day}",
    }


def travel_report(manager_id: str, day: date | str) -> dict:
    return {"pk": f"TRAVELDAY#{manager_id}#{day}", "sk": "REPORT"}


def travel_report_indexes(manager_id: str, branch_id: str, day: str) -> dict:
    # gsi1: a manager's reports by day; gsi2: a branch's reports by day.
    return {
        "gsi1pk": f"STAFF#{manager_id}#TRAVELREPORTS",
        "gsi1sk": f"{day}#{manager_id}",
        "gsi2pk": f"BRANCH#{branch_id}#TRAVELREPORTS",
        "gsi2sk": f"{day}#{manager_id}",
    }


def penalty_proposal(proposal_id: str) -> dict:
    return {"pk": f"PROPOSAL#{proposal_id}", "sk": "PROPOSAL"}


def penalty_proposal_indexes(manager_id: str, branch_id: str, day: str, proposal_id: str) -> dict:
    # gsi1: a manager's proposals by breach day; gsi2: a branch's (the supervisor's list).
    return {
        "gsi1pk": f"STAFF#{manager_id}#PROPOSALS",
        "gsi1sk": f"{day}#{proposal_id}",
        "gsi2pk": f"BRANCH#{branch_id}#PROPOSALS",
        "gsi2sk": f"{day}#{proposal_id}",
    }


# --- leave 请假 (000 第一篇 第四条) and month-end declarations 月末开户申报 (第十三条) ------------------
def leave(leave_id: str) -> dict:
    return {"pk": f"LEAVE#{leave_id}", "sk": "LEAVE"}


def leave_indexes(manager_id: str, branch_id: str, start_date: str, leave_id: str) -> dict:
    # gsi1: a manager's leave by first day (my leave; the days on leave in a range, for quotas and absences);
    # gsi2: a branch's leave by first day (the supervisor's list).
    return {
        "gsi1pk": f"STAFF#{manager_id}#LEAVE",
        "gsi1sk": f"{start_date}#{leave_id}",
        "gsi2pk": f"BRANCH#{branch_id}#LEAVE",
        "gsi2sk": f"{start_date}#{leave_id}",
    }


def declaration(manager_id: str, month: str) -> dict:
    # One declaration per manager and month, replaced whole while the month is open.
    return {"pk": f"STAFF#{manager_id}", "sk": f"DECLARATION#{month}"}


def declaration_index(branch_id: str, month: str, manager_id: str) -> dict:
    # gsi1: a branch's declarations of a month (the supervisor's comparison).
    return {"gsi1pk": f"BRANCH#{branch_id}#DECLARATIONS#{month}", "gsi1sk": manager_id}


def declaration_closure(branch_id: str, month: str) -> dict:
    # The supervisor closed the branch's month for declarations before the deadline (once; never reopened).
    return {"pk": f"BRANCH#{branch_id}", "sk": f"DECLCLOSE#{month}"}


def rehash_progress(writer_key_id: str) -> dict:
    """The hash-key rehash's progress for one writer key (storage/rehash.py): partitions done, counts."""
    return {"pk": "OPS#REHASH", "sk": f"HASHKEY#{writer_key_id}"}


def reveal_audit_actor_index(actor_id: str, at: str, audit_id: str) -> dict:
    # gsi2: one person's reveal attempts by time (compliance's search by staff id, issue 20). Records
    # written before this index existed lack it until `python -m schedules audit backfill-actor-index
    # --from YYYY-MM --to YYYY-MM` adds it (storage/audit.backfill_actor_index).
    return {"gsi2pk": f"ACTOR#{actor_id}#AUDIT", "gsi2sk": f"{at}#{audit_id}"}
