"""What a callback attempt must carry: the pure validation rules (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ...errors import Unprocessable, ValidationFailed
from ...models.callbacks import EVIDENCE, FALLBACK_CHANNELS, INTERACTIVE, AttemptIn
from ...models.tasks import OPEN_STATUSES, RISK_TRIGGERS, Trigger


@dataclass
class AttemptEffects:
    fallback: bool = False
    mark_contact: bool = False
    contact_request: bool = False  # a new contact-update request for the client's branch
    withdraw_request: bool = False  # the task no longer waits: its open request is closed with it
    escalate: bool = False
    problems: list[dict] = field(default_factory=list)  # {category, cause, responsible_department, severity, ...}


# Callbacks that count toward the regulator's coverage (CSRC 2010: every new account, >=10% of existing
# clients a year): the regulator's checklist is required on them whatever the channel.
COVERAGE_TRIGGERS = {Trigger.new_account.value, Trigger.dormant.value, Trigger.periodic.value, Trigger.sample.value}
# seed 001 资产变动情况下的客户回访: "客户出现较大资产转出时应在次日对该客户进行电话回访" - a risk callback
# is a conversation with the client, never a letter, an e-mail or an SMS.
RISK_CHANNELS = {"phone", "visit"}
# Evidence per channel (DOMAIN 4; seed 001 前台业务人员客户回访管理规定 第六条 "回访需有效留痕"):
#   电话: "使用录音电话 ... 在备注中写明呼叫的电话号码"; 面谈: 记录表 "由回访客户签名或盖章";
#   信函: "客户回寄的回访记录表必须由客户签名或盖章 ... 邮局的回执和信封作为此记录表的附件";
#   电子邮件: "打印电子邮件的内容作为此记录表的附件"; WeChat (DOMAIN 4): the chat export.
EVIDENCE_FIELDS = tuple(f for fields in EVIDENCE.values() for f in fields)
# Each "no" of the checklist is a problem item of its category (DOMAIN 4 "Any 'no' in the regulator's
# content is a problem item"; seed 000 第五篇 第十一条(三) "对回访中发现的问题应及时填写问题件转办表").
# answer -> (category, severity, cause, responsible department, escalation kind or None)
NEGATIVE_ANSWERS = {
    "account_changes_confirmed": (
        "change_not_recognised",
        "critical",
        "client does not recognise changes to the account",
        "branch manager / head office business management",
        "change_not_recognised",
    ),
    "no_staff_trading": (
        "trading_on_behalf",
        "critical",
        "staff traded on the client's behalf (代客操作)",
        "compliance",
        None,
    ),
    "risks_disclosed": ("risk_not_disclosed", "normal", "risks were not disclosed to the client", "compliance", None),
    "no_discretionary_authority": (
        "discretionary_authority",
        "critical",
        "the client gave discretionary authority (全权委托)",
        "compliance",
        None,
    ),
    "no_return_promise": (
        "return_promised",
        "critical",
        "staff promised returns or to cover losses",
        "compliance",
        None,
    ),
    "no_signing_for_client": (
        "signed_for_client",
        "critical",
        "staff signed documents for the client",
        "compliance",
        None,
    ),
}


def content_trigger(task: dict) -> str:
    """The trigger whose content a callback must cover: a fallback covers its source task's."""
    if task["trigger"] == Trigger.fallback.value:
        return (task.get("detail") or {}).get("source_trigger") or Trigger.fallback.value
    return task["trigger"]


def required_content(task: dict, channel: str) -> list[str]:
    """The fields a reached callback of this task by this channel must carry."""
    trigger = content_trigger(task)
    fields = [*EVIDENCE.get(channel, ()), "answered_by", "identity_confirmed"]
    if trigger in COVERAGE_TRIGGERS:
        fields.append("checklist")
    if trigger in RISK_TRIGGERS:
        fields.append("transfer_recognised")
    if trigger == Trigger.closed_account.value:
        fields.append("closing_reason")  # seed 003 第四章: the reason, for attrition analysis
    if channel in INTERACTIVE:
        fields.append("satisfaction")
    return fields


def refuse(details: list[dict]) -> None:
    if details:
        first = details[0]
        raise ValidationFailed(f"{first['field']}: {first['message']}", details=details)


def validate_attempt(task: dict, body: AttemptIn, at: datetime, now: datetime) -> None:
    """Refuse what the rules refuse, naming every failing field."""
    if task["status"] not in OPEN_STATUSES:
        raise Unprocessable("a finished task is read-only")
    if at > now:
        raise ValidationFailed.field("at", "cannot be in the future")
    channel = body.channel.value
    trigger = content_trigger(task)
    if task["trigger"] == Trigger.fallback.value and channel not in FALLBACK_CHANNELS:
        raise ValidationFailed.field("channel", "a fallback task is worked by letter, email or SMS")
    allowed = (task.get("detail") or {}).get("channels")
    if task["trigger"] == Trigger.fallback.value and allowed and channel not in allowed:
        raise ValidationFailed.field("channel", f"this fallback task is worked by {' or '.join(allowed)}")
    if trigger in RISK_TRIGGERS and channel not in RISK_CHANNELS:
        raise ValidationFailed.field(
            "channel",
            "a risk callback is made by phone or visit, never by letter, " "e-mail or SMS (seed 001: 次日电话回访)",
        )
    if body.closing_reason and trigger != Trigger.closed_account.value:
        raise ValidationFailed.field("closing_reason", "only for closed-account callbacks")
    details = [
        {
            "field": f,
            "message": f"evidence of a {next(c for c, fs in EVIDENCE.items() if f in fs)} "
            f"callback, not of {channel}",
        }
        for f in EVIDENCE_FIELDS
        if getattr(body, f) is not None and f not in EVIDENCE[channel]
    ]
    refuse(details)
    if not body.reached:
        if body.reason is None:
            raise ValidationFailed.field("reason", "required when the client was not reached")
        if body.problems:
            # A finding is what the client said; nothing was said. Refused, never silently dropped.
            raise ValidationFailed.field("problems", "only a reached callback reports problem items")
        if body.reason.value == "call_back_later":
            if body.call_back_at is None:
                raise ValidationFailed.field("call_back_at", "required when the client asks to be called later")
            if body.call_back_at <= at:
                raise ValidationFailed.field("call_back_at", "must be after the attempt")
        elif body.call_back_at is not None:
            raise ValidationFailed.field("call_back_at", "only with reason call_back_later")
        return
    if body.reason is not None:
        raise ValidationFailed.field("reason", "only when the client was not reached")
    if channel == "sms" and (
        trigger in COVERAGE_TRIGGERS
        or trigger in RISK_TRIGGERS
        or trigger in {Trigger.closed_account.value, Trigger.departed_manager.value}
    ):
        raise ValidationFailed.field(
            "channel", "an SMS can carry a notice but never completes a regulatory or " "risk callback"
        )
    if body.identity_confirmed is False:
        raise ValidationFailed.field(
            "identity_confirmed",
            "confirm the client's identity; an unverified person is not reached "
            "(record reached=false, reason wrong_number)",
        )
    refuse(
        [
            {"field": f, "message": f"required for a reached {trigger} callback by {channel}"}
            for f in required_content(task, channel)
            if getattr(body, f) is None
        ]
    )
