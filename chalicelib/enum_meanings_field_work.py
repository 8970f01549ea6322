"""What each value of the field work's statuses and kinds means: visits, prospects, penalties, leave and
travel (part of `enum_meanings.MEANINGS`, which merges it in this place). Plain data: no imports."""

from __future__ import annotations

FIELD_WORK: dict[str, dict[str, str]] = {
    # --- visits -----------------------------------------------------------------------------------------
    "visit_kind": {
        "outlet_shift": "a shift at a partner bank outlet (驻点); not an outing",
        "on_site": "a visit to the client (上门); an outing",
        "phone": "a phone contact; counts toward the daily phone quota",
        "wechat_sms": "a WeChat or SMS contact; counts toward the daily phone quota",
        "online": "an online meeting or chat (网上); counts toward the daily phone quota",
        "seminar": "a seminar (讲座); an outing",
    },
    "visit_status": {
        "recorded": "logged in time; counted",
        "pending_approval": "logged late (or in a signed-off week): waits for the supervisor; not counted yet",
        "approved_late": "a late log the supervisor approved; counted",
        "rejected": "a late log the supervisor rejected; kept, never counted",
    },
    # --- prospects (DOMAIN 2) ---------------------------------------------------------------------------
    "prospect_status": {
        "active": "owned by a manager, protected while followed up",
        "pool": "in the branch pool (公海): any manager of the branch may claim it",
        "converted": "an account was opened for the prospect",
    },
    "prospect_class": {
        "A": "protected 7 days after each follow-up",
        "B": "protected 15 days",
        "C": "protected 30 days",
        "D": "never protected: goes to the pool at the next run",
    },
    "prospect_source": {
        "own_network": "the manager's own network",
        "outlet_walk_in": "walked in at a partner outlet",
        "referral": "referred by a partner outlet",
        "seminar": "met at a seminar",
    },
    "follow_up_channel": {
        "phone": "by phone",
        "visit": "in person",
        "wechat": "by WeChat",
        "sms": "by SMS",
        "seminar": "at a seminar",
        "outlet": "at a partner outlet",
    },
    "referral_status": {
        "registered": "registered by the outlet, not yet contacted by a manager",
        "contacted": "a manager followed it up",
        "converted": "an account was opened",
        "lapsed": "protection ended without conversion",
    },
    "reveal_field": {"phone": "the full phone number", "id_number": "the full ID number"},
    "reveal_purpose": {
        "callback": "回访: the agent's open task on this account",
        "follow_up": "跟进: the manager's own prospect or visit contact",
        "complaint": "投诉处理: a complaint the caller is handling",
        "compliance_case": "合规调查: compliance, with its case reference",
    },
    "audit_outcome": {"granted": "the full value was shown", "refused": "refused; nothing was shown"},
    # --- penalties (DOMAIN 3) ---------------------------------------------------------------------------
    "penalty_status": {
        "open": "entered; points count and the amount is owed",
        "under_appeal": "the manager appealed; still counted until decided",
        "paid_cash": "settled in cash",
        "deducted_salary": "settled from salary (doubled)",
        "voided": "voided by a supervisor with a reason; not counted",
        "overturned": "an upheld appeal; not counted",
    },
    "rule_kind": {
        "points": "points deducted (10 yuan a point)",
        "fixed_yuan": "a fixed amount in yuan",
        "percent_income": "a share of the month's income",
        "base_salary": "days of base salary",
        "subsidy_withheld": "a subsidy withheld",
        "dismissal": "dismissal",
        "transfer": "transfer off the outlet",
        "compensation": "compensation of the loss",
    },
    "serious_recommendation": {
        "dismissal": "recommend dismissal",
        "transfer": "recommend a transfer",
        "refer_to_authorities": "refer to the authorities",
    },
    "settle_method": {"cash": "paid in cash", "salary": "deducted from salary (doubled)"},
    "appeal_outcome": {
        "upheld": "the penalty is upheld: back to open, the appeal fails",
        "overturned": "the penalty is overturned: no longer counted (a reversal is added)",
    },
    # --- leave, travel, proposals (issue 19 §5, §6) --------------------------------------------------
    "leave_half_day": {"am": "the morning of a single day", "pm": "the afternoon of a single day"},
    "leave_kind": {"personal": "事假: personal leave", "sick": "病假: sick leave"},
    "leave_status": {
        "pending": "asked, waiting for the supervisor (the manager may withdraw it)",
        "approved": "approved: not absence (000 第一篇 第四条)",
        "refused": "refused by the supervisor, with a comment",
        "withdrawn": "withdrawn by the manager before a decision",
    },
    "proposal_status": {
        "pending": "a NO_DAILY_REPORT proposal waiting for the supervisor",
        "confirmed": "confirmed: the penalty was entered (penalty_id)",
        "dismissed": "dismissed by the supervisor, with a reason",
    },
    "travel_decision": {
        "approve": "approve the requested travel",
        "reject": "reject it (a reason is required)",
        "cancel": "cancel approved travel: the days not yet due end (a reason is required)",
    },
    "travel_status": {
        "requested": "asked by the manager, waiting for the supervisor",
        "approved": "approved (or recorded by the supervisor): daily reports are due",
        "rejected": "rejected by the supervisor",
        "cancelled": "cancelled (back early, or withdrawn)",
    },
}
