"""Visit and work logs (走访日志, DOMAIN 1)."""

from datetime import date
from enum import Enum

from pydantic import ConfigDict, Field, field_validator, model_validator

from ..enum_meanings import describe
from .common import BoundedDate, BoundedDatetime, Page, PageQuery, RequestModel, ResponseModel
from .directory import Location, LocationOut

PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


class VisitKind(str, Enum):
    outlet_shift = "outlet_shift"  # 驻点
    on_site = "on_site"  # 上门
    phone = "phone"
    wechat_sms = "wechat_sms"
    online = "online"  # 网上: an online meeting or chat
    seminar = "seminar"  # 讲座


# 002 第二十条: "每天至少5个客户电话(或网上)沟通" - phone, WeChat/SMS and online contacts all count;
# "每次出访至少2个客户" - an outing is a trip out (on-site visits, seminars), never an outlet shift.
OUTING_KINDS = {VisitKind.on_site.value, VisitKind.seminar.value}
PHONE_KINDS = {VisitKind.phone.value, VisitKind.wechat_sms.value, VisitKind.online.value}


class _VisitFields(RequestModel):
    person_met: str | None = Field(None, min_length=1, max_length=50)
    person_title: str | None = Field(None, max_length=50)
    person_contact: str | None = Field(None, max_length=50, description="phone or other contact; masked in lists")
    discussed: str | None = Field(None, min_length=1, max_length=2000, description="what was discussed or solved")
    outcome: str | None = Field(None, max_length=1000)
    next_step: str | None = Field(None, max_length=1000)
    next_visit_date: BoundedDate | None = None
    clients_count: int | None = Field(None, ge=0, le=500, description="clients covered by this contact or outing")
    location: Location | None = None
    prospect_id: str | None = Field(None, max_length=64)
    account_id: str | None = Field(None, max_length=64)
    photo_keys: list[str] | None = Field(None, max_length=9)


class VisitIn(_VisitFields):
    # Where the visit took place: an outlet or a named unit (the model validator below, in the schema too).
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["outlet_id"], "properties": {"outlet_id": {"type": "string"}}},
                {"required": ["unit_name"], "properties": {"unit_name": {"type": "string"}}},
            ]
        }
    )

    kind: VisitKind
    visited_at: BoundedDatetime = Field(description="ISO 8601; without an offset it is read as Asia/Shanghai time")
    outlet_id: str | None = Field(None, max_length=64)
    unit_name: str | None = Field(None, min_length=1, max_length=100, description="company or unit visited")
    person_met: str = Field(min_length=1, max_length=50)
    discussed: str = Field(min_length=1, max_length=2000)
    clients_count: int = Field(1, ge=0, le=500)
    photo_keys: list[str] = Field(default_factory=list, max_length=9)
    # A log older than the recording window, or in a week already signed off, goes to the supervisor:
    # it is kept as "pending_approval" (not counted) until they approve it.
    late_reason: str | None = Field(None, min_length=6, max_length=300)

    @model_validator(mode="after")
    def _where(self):
        if not self.outlet_id and not self.unit_name:
            raise ValueError("give outlet_id or unit_name: where the visit took place")
        return self


class VisitPatch(_VisitFields):
    """Same-day amendment by the author. Kind and time are facts of the visit and stay."""


class NoteIn(RequestModel):
    text: str = Field(min_length=1, max_length=2000)


class NoteOut(ResponseModel):
    """A correction note appended to a log (the log itself is never rewritten after the day)."""

    note_id: str
    visit_id: str
    text: str
    author_id: str
    at: str


class ApprovalOut(ResponseModel):
    """The supervisor's decision on a late log."""

    by: str
    at: str
    approved: bool
    comment: str = ""


class VisitOut(ResponseModel):
    visit_id: str
    manager_id: str
    branch_id: str
    kind: VisitKind
    visited_at: str
    recorded_at: str
    outlet_id: str | None = None
    unit_name: str | None = None
    person_met: str
    person_title: str | None = None
    person_contact_masked: str | None = None
    discussed: str
    outcome: str | None = None
    next_step: str | None = None
    next_visit_date: date | None = None
    clients_count: int = 1
    location: LocationOut | None = None
    prospect_id: str | None = None
    account_id: str | None = None
    photo_keys: list[str] = []
    photo_urls: list[str] | None = None
    amended_at: str | None = None
    version: int | None = None
    notes: list[NoteOut] = Field([], description="oldest first")
    status: str = Field("recorded", description=describe("visit_status"))
    late_reason: str | None = None
    approval: ApprovalOut | None = None


class VisitVersionOut(VisitOut):
    superseded_at: str


class VisitVersions(ResponseModel):
    """The earlier versions of a log, oldest first: a same-day amendment never loses what was written."""

    visit_id: str
    versions: list[VisitVersionOut]


class VisitPage(Page[VisitOut]):
    pass


class VisitQuery(PageQuery):
    date_from: BoundedDate | None = Field(None, alias="from")
    date_to: BoundedDate | None = Field(None, alias="to")
    manager_id: str | None = None

    @model_validator(mode="after")
    def _order(self):
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("from must not be after to")
        return self


class ActivityQuery(RequestModel):
    date_from: BoundedDate = Field(alias="from")
    date_to: BoundedDate = Field(alias="to")
    manager_id: str | None = None

    @model_validator(mode="after")
    def _span(self):
        if self.date_from > self.date_to:
            raise ValueError("from must not be after to")
        if (self.date_to - self.date_from).days > 92:
            raise ValueError("at most 93 days at a time")
        return self


class DayActivity(ResponseModel):
    date: date
    working_day: bool
    phone_contacts: int  # phone, WeChat/SMS and online contacts (电话或网上沟通)
    visits: int
    outings: int  # trips out: a day's on-site and seminar logs grouped (domain/visits.py)
    clients_on_outings: int
    phone_quota_met: bool
    phone_contacts_required: int = 0  # the quota, less on a day of approved leave (none; half: half)
    leave: str | None = None  # approved leave that day: "1" or "0.5"
    outing_quota_met: bool
    outings_below_client_quota: int = 0


class ActivityTotals(ResponseModel):
    phone_contacts: int
    visits: int
    outings: int
    clients_on_outings: int
    working_days: int
    working_days_phone_quota_met: int
    outings_below_client_quota: int
    leave_days: str | None = Field(None, description="days of approved leave in the range (halves as 0.5)")


class WeekActivity(ResponseModel):
    week: str = Field(description="ISO week, e.g. 2026-W47")
    visit_days: int = Field(description="days out visiting (三天出访); an outlet shift is not one")
    visit_dates: list[date]
    # None in figures computed before leave existed (a stored scorecard month)
    working_days: int | None = None
    leave_days: str | None = Field(None, description="working days on approved leave (halves as 0.5)")
    visit_days_required: int | None = Field(
        None,
        description="the weekly quota x (working days not on leave) / working "
        "days, rounded up; the quota itself in a week without leave",
    )
    visit_days_quota_met: bool


class ActivityQuotas(ResponseModel):
    """The quotas of 002 第二十条 in effect (settings)."""

    phone_contacts_per_day: int
    clients_per_outing: int
    visit_days_per_week: int


class Activity(ResponseModel):
    manager_id: str
    date_from: date
    date_to: date
    quotas: ActivityQuotas
    days: list[DayActivity] = Field(description="every day of the range, oldest first")
    totals: ActivityTotals
    weeks: list[WeekActivity] = Field(description="ISO weeks touched by the range, oldest first")


class LateApprovalIn(RequestModel):
    approve: bool
    comment: str = Field("", max_length=500)


class SignoffIn(RequestModel):
    manager_id: str = Field(min_length=1, max_length=64)
    week: str = Field(pattern=r"^\d{4}-W\d{2}$", description="ISO week, e.g. 2026-W47")
    comment: str | None = Field(None, max_length=500)

    @field_validator("week")
    @classmethod
    def _real_week(cls, v: str) -> str:
        year, week = int(v[:4]), int(v[6:])
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError("not an ISO week") from None
        return v


class SignoffOut(ResponseModel):
    manager_id: str
    week: str
    signed_by: str
    signed_at: str
    comment: str | None = None


class PhotoUploadIn(RequestModel):
    content_type: str = Field(description="image/jpeg, image/png or image/webp")
    size_bytes: int = Field(gt=0)

    @field_validator("content_type")
    @classmethod
    def _image(cls, v: str) -> str:
        if v not in PHOTO_TYPES:
            raise ValueError(f"must be one of {sorted(PHOTO_TYPES)}")
        return v


class PhotoUploadOut(ResponseModel):
    photo_key: str
    upload_url: str
    fields: dict[str, str] = Field(description="form fields to POST with the file (S3 presigned POST)")
    expires_in: int
    max_bytes: int


class RevealOut(ResponseModel):
    visit_id: str
    person_contact: str | None
    audit_id: str
