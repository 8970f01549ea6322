"""What each value of every status, kind, priority and reason in the API means: the one place.

Integrators read these in docs/openapi.json: `chalicelib/openapi.py` gives every `enum` of the
document the meanings of its values (a description plus `x-enum-descriptions`), and the models'
plain-string status fields name theirs with `describe(...)`. `tests/api/test_openapi_contract.py`
fails when an enum of the document has a value with no meaning here, so a new value cannot ship
undocumented. Plain data, safe for every layer; the field work's meanings are kept in
`enum_meanings_field_work.py` (merged here in place, so the order `for_values` looks in is unchanged).
"""

from __future__ import annotations

from .enum_meanings_field_work import FIELD_WORK

MEANINGS: dict[str, dict[str, str]] = {
    # --- callbacks (DOMAIN 4) ---------------------------------------------------------------------------
    "task_status": {
        "open": "selected, nobody has attempted it yet (in an agent's list or the branch queue)",
        "in_progress": "attempted at least once without reaching the client; still to be worked",
        "done": "the client was reached and the outcome recorded",
        "closed_unreached": "closed without reaching the client: refused, unanswered on three working days "
        "(a fallback letter follows) or a branch manager's decision on a risk callback",
    },
    "trigger": {
        "new_account": "a new account: called back the next working day (001 新开户次日回访)",
        "dormant": "no trade for the dormant period (180 days by default)",
        "large_outflow": "a large transfer out (risk): called back the next day",
        "closed_account": "the account was closed: asked why within two days (003 第四章)",
        "departed_manager": "the client's manager left; the client is told who serves them now",
        "periodic": "the tier's regular service callback (gold 14, silver 30, ordinary 91 days)",
        "transferred_out": "a core or important client moved the account out: called the same week (003 第三十一条)",
        "sample": "the regulator's 10% sample of existing clients (CSRC 2010)",
        "fallback": "a letter, e-mail or SMS after three unanswered phone days",
        "second_callback": "verification with the client that a resolved problem item is fixed",
    },
    "callback_channel": {
        "phone": "a phone call (recording and dialled number kept)",
        "visit": "in person (a record signed by the client)",
        "letter": "a letter (return slip and postal receipt)",
        "email": "an e-mail (archived copy)",
        "sms": "an SMS: a notice only, never completes a regulatory or risk callback",
        "wechat": "WeChat (chat export)",
    },
    "unreached_reason": {
        "no_answer": "nobody answered; counts as an unanswered working day",
        "busy": "the line was busy; counts as an unanswered working day",
        "wrong_number": "the number is not the client's: the branch re-establishes the contact",
        "refused": "the client refused the callback: the task closes unreached",
        "call_back_later": "the client asked to be called at `call_back_at`",
    },
    "respondent": {
        "client": "the client in person",
        "notarised_agent": "the client's notarised authorised agent (001 细则 第四条)",
    },
    "review_result": {
        "compliant": "the callback met the rules (content, evidence, respondent)",
        "non_compliant": "the callback fell short; compliance follows it up",
    },
    "event_result": {
        "accepted": "the event was applied",
        "duplicate": "the same event (id and content) was applied before; nothing changed",
        "rejected": "refused: `reason`/`details` say why; `retryable` events may be resent",
    },
    "close_reason": {
        "moved_away": "the client moved away",
        "equipment_system": "trading equipment or systems",
        "environment": "the branch's environment",
        "staff_attitude": "staff attitude",
        "research_information": "research and information service",
        "missing_products": "products the client wanted were missing",
        "competitor": "went to a competitor",
        "commission_rate": "commission rates",
        "staff_turnover": "the client's manager left",
        "other": "another reason",
    },
    "tier": {
        "gold": "a core client (核心客户): periodic callback every 14 days",
        "silver": "an important client (重要客户): every 30 days",
        "ordinary": "every other client: every 91 days",
    },
    "opening_channel": {
        "counter": "opened at the branch counter",
        "online": "opened online",
        "bank_outlet": "a single opening at a partner bank outlet",
        "bank_outlet_bulk": "a bulk opening drive at a bank outlet (called back within 3 working days)",
    },
    "account_status": {
        "pending": "known from an event that came before its opening (the opening has not arrived yet)",
        "open": "opened (a transfer out keeps it open: see transferred_out_on)",
        "closed": "closed (account_closed event)",
    },
    "value_class": {
        "A": "phoned weekly, visited every month (002 第十九条)",
        "B": "phoned weekly, visited every two months",
        "C": "no contact duty beyond the callbacks",
    },
    "value_class_source": {
        "supervisor": "set by the branch supervisor",
        "feed": "set by the core system's feed",
    },
    "contact_duty": {
        "met": "the contact of this week (or visit of this period) happened",
        "due": "still due within the week or period",
        "overdue": "the week or period passed without it",
        "none": "the class carries no such duty",
    },
    # --- problems and complaints ------------------------------------------------------------------------
    "problem_status": {
        "open": "reported, not yet taken up",
        "in_progress": "being handled (also: reopened when verification failed)",
        "resolved": "handled, with a resolution note; waits for verification",
        "verified": "the fix was confirmed (a second callback where the client raised it); final",
    },
    "severity": {
        "critical": "handled within 8 hours, escalated at once (account security, misconduct)",
        "normal": "handled within 5 working days",
    },
    "problem_category": {
        "service_attitude": "service attitude",
        "system_equipment": "systems or equipment",
        "fees_commission": "fees or commission",
        "research_information": "research and information",
        "missing_product": "a product the client wanted",
        "account_security": "account security (e.g. a transfer the client does not recognise)",
        "staff_misconduct": "staff misconduct",
        "change_not_recognised": "account changes the client does not recognise",
        "trading_on_behalf": "staff traded on the client's behalf (代客操作)",
        "risk_not_disclosed": "risks were not disclosed",
        "discretionary_authority": "the client gave discretionary authority (全权委托)",
        "return_promised": "returns were promised (保证收益)",
        "signed_for_client": "staff signed for the client (代客签字)",
        "callback_unanswered": "a risk callback nobody answered",
        "other": "anything else",
    },
    "complaint_status": {
        "open": "received, not yet taken up; the handling clock runs",
        "in_progress": "being handled",
        "resolved": "handled, with the resolution; final",
    },
    "complaint_channel": {
        "phone": "by phone",
        "in_person": "in person at the branch",
        "outlet": "at a partner bank outlet",
        "callback": "raised during a callback",
        "letter": "by letter",
        "online": "online",
    },
    **FIELD_WORK,  # visits, prospects, penalties, leave and travel: enum_meanings_field_work.py
    # --- directory --------------------------------------------------------------------------------------
    "role": {
        "client_manager": "客户经理: logs visits, owns prospects, sees their own scorecard",
        "supervisor": "a branch supervisor: the branch's managers, penalties, late logs",
        "callback_agent": "the callback centre: works callback tasks",
        "callback_lead": "a callback centre's lead: reads its branch's board, queue, workload and reach rate; "
        "assigns and reassigns tasks to its agents",
        "compliance": "compliance: reviews, reveals with a case, reports",
        "admin": "administration: staff, outlets, calendars",
        "system": "the core system's feed",
    },
    "staff_status": {"active": "working", "departed": "left: cannot sign in; prospects handed over"},
    "outlet_status": {"active": "open: its keys work", "closed": "closed: its keys are revoked"},
    "audit_subject_kind": {
        "account": "a client account (account_id)",
        "prospect": "a prospect (prospect_id)",
        "visit": "a visit log (visit_id)",
    },
    "privilege_status": {
        "pending": "waits for a second admin or compliance officer",
        "approved": "approved and applied",
        "rejected": "rejected; nothing changed",
    },
    "api_key_status": {"active": "works until revoked", "revoked": "revoked (by an admin, or the outlet closed)"},
    "import_status": {
        "importing": "rows are being applied",
        "incomplete": "paused (deadline or transient errors); the resume job continues from committed_row",
        "completed": "every row applied or refused",
        "failed": "cannot be imported (undecodable header, file gone); see reason",
        "superseded": "the object was replaced before the import finished; the new content is its own file",
    },
    # --- operations -------------------------------------------------------------------------------------
    "outbox_status": {
        "pending": "not delivered yet (due now or later)",
        "failing": "delivery failed at least once; retried with backoff",
        "delivered": "delivered",
    },
    "calendar_source": {
        "published": "published by an admin",
        "package": "from the holidays package",
        "weekends_only": "unknown year: only weekends are days off (provisional)",
    },
    "calendar_health": {"ok": "the calendar is known", "missing": "an admin must publish it"},
}

# Integer scales whose order matters.
PRIORITY = (
    "0 is the most urgent: 0 large outflow (risk); 1 closed account, transferred out; 2 new account; "
    "3 departed manager, problem verification; 4 dormant; 5 periodic (and follow-ups of a task); "
    "6 the 10% sample. The agents' lists sort risk first, then the deadline (or the client's call-back "
    "time), then the next best-time window, then this priority"
)


def describe(name: str) -> str:
    """ "`open`: ...; `done`: ..." for a set of MEANINGS."""
    return "; ".join(f"`{value}`: {meaning}" for value, meaning in MEANINGS[name].items())


def for_values(values) -> dict[str, str] | None:
    """The meanings of an enum's values: the smallest set of MEANINGS holding them all (None if none does)."""
    wanted = {str(v) for v in values}
    best = None
    for meanings in MEANINGS.values():
        if wanted <= meanings.keys() and (best is None or len(meanings) < len(best)):
            best = meanings
    return None if best is None else {v: best[v] for v in (str(x) for x in values)}
