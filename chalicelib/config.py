"""Settings read lazily from the environment.

Every number in DOMAIN.md is a setting here, so a branch or a regulator's change
is a configuration change, not a code change. Settings are read once per
container on first use, never at import time.

Each field is read from `FIELDDESK_<NAME>` (any case), or from its own `validation_alias`
(`AWS_DEFAULT_REGION`, `DYNAMODB_ENDPOINT_URL`, ...); lists are comma-separated. Plain pydantic does it:
pydantic-settings did the same and cost ~90 ms of every cold start (`python -m bench.cold_start`,
issue 17 §7), about a fifth of the floor.

What a deployed stage refuses to start on is stages.py's; values read at run time (Secrets Manager, SSM)
are runtime_values.py's. The fields stay in one class: split into BaseModel bases by area, each base collects
its fields again and the import cost ~7 ms more of every cold start.
"""

from __future__ import annotations

import os
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .stages import (
    DEFAULT_FIELD_KEY,
    DEFAULT_HASH_KEY,
    DEFAULT_JWT_ISSUER,
    DEFAULT_JWT_SECRET,
    DEFAULT_PAGE_TOKEN_KEY,
    DEV_STAGES,
    STAGE_PATTERN,
    fail_closed,
)

ENV_PREFIX = "FIELDDESK_"
CsvList = list[str]  # comma-separated in the environment (split by Settings._split_csv)
# "<amount> <unit>"; parsed and applied by domain/deadlines.py.
Deadline = Annotated[str, Field(pattern=r"^(\d{1,3} (calendar_days|week_end)|[1-9]\d{0,2} working_days)$")]


def _from_environment(model: type[BaseModel]) -> dict[str, str]:
    """Each field's value as the environment spells it, keyed by field name (absent ones left out)."""
    env = {key.upper(): value for key, value in os.environ.items()}
    found = {}
    for name, field in model.model_fields.items():
        alias = field.validation_alias
        key = (alias if isinstance(alias, str) else f"{ENV_PREFIX}{name}").upper()
        if key in env:
            found[name] = env[key]
    return found


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True, populate_by_name=True)

    def __init__(self, **values: Any) -> None:
        """The environment, overridden by `values` (tests)."""
        super().__init__(**{**_from_environment(type(self)), **values})

    # --- deployment -------------------------------------------------------
    # Required everywhere (tests set it in tests/conftest.py): a missing stage must never mean "local".
    # Any name matching STAGE_PATTERN (prod, staging, uat...); only DEV_STAGES may use dev settings.
    stage: str | None = Field(None, pattern=STAGE_PATTERN)
    version: str = "0.1.0"
    table_name: str = "fielddesk"
    idempotency_table_name: str = "fielddesk-idempotency"
    photo_bucket: str = "fielddesk-photos"
    escalation_topic_arn: str = ""
    aws_region: str = Field("cn-north-1", validation_alias="AWS_DEFAULT_REGION")
    dynamodb_endpoint_url: str | None = Field(None, validation_alias="DYNAMODB_ENDPOINT_URL")
    s3_endpoint_url: str | None = Field(None, validation_alias="S3_ENDPOINT_URL")
    cors_origins: CsvList = ["http://localhost:8000"]
    max_body_bytes: int = 256 * 1024
    max_json_depth: int = 32  # nesting of a JSON body, checked before parsing
    idempotency_in_progress_seconds: int = 30  # a submission whose first attempt died is retried after this
    timezone: str = "Asia/Shanghai"

    # API Gateway usage plan that meters each outlet's key: its id directly (tests), or the SSM
    # parameter holding it (the stack; read at run time, cached). Both empty locally: no gateway keys.
    outlet_usage_plan_id: str = ""
    outlet_usage_plan_parameter: str = ""
    # The CloudFormation stack (set by the stack): gateway API keys are tagged with it.
    stack_name: str = ""

    # --- auth -------------------------------------------------------------
    # Deployed stages verify RS256 tokens of an OIDC provider (Cognito or the brokerage's IdP) against
    # its JWKS. HS256 with the shared secret and the /v1/dev/token route need FIELDDESK_DEV_TOKENS=true,
    # which only the local and test stages accept (set by .chalice/config.json's local stage and tests).
    dev_tokens: bool = False
    # Unset: hs256 when dev_tokens is on, else jwks.
    jwt_mode: Literal["hs256", "jwks"] | None = None
    jwt_secret: str = DEFAULT_JWT_SECRET
    jwt_issuer: str = DEFAULT_JWT_ISSUER
    jwt_audience: str = "fielddesk"
    jwks_url: str = ""
    # A warm container re-reads a staff member's record after this long: a departure or role change
    # made elsewhere takes effect in every container within these seconds (issue 16 §4).
    principal_cache_seconds: int = Field(5, ge=0, le=30)
    # Any OIDC identity provider (Cognito in the global partition, the brokerage's own IdP in China):
    # which token the forms send ("id": aud is the client id; "access": client_id or aud is) and the
    # claim carrying the FieldDesk staff id (Cognito id tokens: custom:staff_id).
    jwt_token_use: Literal["id", "access"] = "id"
    jwt_staff_id_claim: str = "custom:staff_id"
    # Mobile forms in production sign in at the identity provider (authorization code with PKCE; the
    # client id is jwt_audience). Its endpoints: these two when set (any OIDC provider); else the Cognito
    # hosted UI of cognito_domain (e.g. https://fielddesk.auth.cn-north-1.amazoncognito.com); else the
    # page reads them from the issuer's discovery document (<jwt_issuer>/.well-known/openid-configuration).
    cognito_domain: str = ""
    oidc_authorization_endpoint: str = Field("", pattern=r"^(https://\S+)?$")
    oidc_token_endpoint: str = Field("", pattern=r"^(https://\S+)?$")
    oidc_scopes: CsvList = ["openid", "profile"]

    # --- secrets for keyed hashes, page tokens and field encryption --------
    # Local and test stages: the values. Deployed stages: the Secrets Manager secrets holding them
    # (`*_secret`, set by the stack), read at run time and cached (see secret_hash_key()).
    hash_key: str = DEFAULT_HASH_KEY
    page_token_key: str = DEFAULT_PAGE_TOKEN_KEY
    hash_key_secret: str = ""
    page_token_key_secret: str = ""
    # Local stage: a 32-byte urlsafe-base64 key. Production: a KMS key id.
    field_key_local: str = DEFAULT_FIELD_KEY
    kms_key_id: str = ""

    # --- visit logs (DOMAIN 1) ---------------------------------------------
    visit_max_age_days: int = 7
    quota_phone_contacts_per_day: int = 5
    quota_clients_per_outing: int = 2
    # Logs of one day within these hours of each other (or at the same unit or outlet) are one outing.
    outing_window_hours: float = Field(3, gt=0, le=12)
    quota_visit_days_per_week: int = 3
    # 002 第十九条 / 第二十条 (house policy): A and B clients phoned at least weekly; A visited every month,
    # B every two months. Months between visits per class; a class not named here has no visit duty.
    contact_visit_months_a: int = Field(1, ge=1, le=12)
    contact_visit_months_b: int = Field(2, ge=1, le=12)
    complaint_handle_hours: int = Field(8, ge=1)  # 002 第二十条 §4: handled within 8 hours or escalated
    # A complaint is recorded as it arrives: a receipt time older than this is refused (400 received_at).
    complaint_received_max_age_hours: int = Field(72, ge=1, le=744)
    # 004 出差: "晚上九点钟之前向领导汇报当天工作情况" (house policy): the travel day's report is due by this
    # hour (Asia/Shanghai); the hourly sweep proposes NO_DAILY_REPORT for a day with none by then.
    travel_report_due_hour: int = Field(21, ge=1, le=24)
    # One travel period covers at most this many days (its day items are written in one transaction).
    travel_period_max_days: int = Field(60, ge=1, le=90)
    visit_clock_skew_minutes: int = 5
    photo_max_bytes: int = 5 * 1024 * 1024
    photo_url_seconds: int = 300

    # --- intent clients (DOMAIN 2) -----------------------------------------
    protection_days_a: int = 7
    protection_days_b: int = 15
    protection_days_c: int = 30
    first_contact_days: int = 3
    pool_daily_pick_limit: int = 5
    pool_reclaim_block_days: int = 30
    max_active_keys_per_outlet: int = 2
    referral_default_class: Literal["A", "B", "C", "D"] = "C"
    lapse_catch_up_max_days: int = 31
    # A prospect in one branch's pool may be registered by another branch's manager (first to register).
    cross_branch_pool_claims: bool = True

    # --- least privilege (PIPL 第六条 minimisation) --------------------------------
    # Full phones / ID numbers / names one person may be shown a day; past it: 429 and an alert.
    reveal_daily_budget: int = Field(60, ge=1)
    # Prospect registrations (attempts, collisions included) one manager may make a day; past it: 429.
    registrations_per_manager_per_day: int = Field(30, ge=1)

    # --- penalties (DOMAIN 3) ----------------------------------------------
    yuan_per_point: Decimal = Decimal("10")
    cash_settlement_days: int = 14
    salary_deduction_multiplier: Decimal = Decimal("2")
    starting_score: int = 100
    absence_dismissal_days: Decimal = Decimal("3")
    absence_base_salary_days: Decimal = Decimal("2")  # 000 第一篇 第四条: 两天 - the month's base salary
    travel_breaches_per_month_max: int = 3
    repeat_breach_threshold: int = 2
    penalty_overdue_catchup_days: int = 31

    # --- leave and month-end declarations (000 第一篇 第四条, 第十三条) ---------------
    # 第四条 "须提前向区域经理提出": leave is asked for at least this many days before its first day
    # (1: by the day before; house policy, the seed says only "in advance").
    leave_notice_days: int = Field(1, ge=0, le=30)
    leave_max_days: int = Field(30, ge=1, le=92)  # calendar days one request may span
    # 第十三条 "月末开户报表": a month's declaration of opened accounts is editable until this day of the
    # next month (end of day, Asia/Shanghai); then the month is closed for declarations.
    declaration_deadline_day: int = Field(5, ge=1, le=28)
    declaration_max_accounts: int = Field(300, ge=1, le=1000)

    # --- callbacks (DOMAIN 4) ----------------------------------------------
    dormant_days: int = 180
    large_outflow_yuan: Decimal = Decimal("500000")
    large_outflow_ratio: Decimal = Decimal("0.5")
    callbacks_per_quarter: int = 2
    # Deadlines "<amount> <unit>", unit calendar_days | working_days | week_end (domain/deadlines.py),
    # counted from the event (dormant and the sample: from the selection date).
    deadline_new_account: Deadline = "1 working_days"  # 001: 新开户次日回访
    deadline_bulk_opening: Deadline = "3 working_days"  # bank outlet bulk openings
    deadline_dormant: Deadline = "15 calendar_days"  # 001 制度 §2 (its 模版: "7 working_days")
    deadline_large_outflow: Deadline = "1 calendar_days"  # 001 资产变动: 次日
    deadline_closed_account: Deadline = "2 calendar_days"  # 003 第四章: 两日内
    deadline_departed_manager: Deadline = "15 calendar_days"
    deadline_transferred_out: Deadline = "0 week_end"  # 003 第三十一条: 当周
    deadline_sample: Deadline = "10 working_days"  # compliance sample, spread over the year
    # Accounts a transfer-out callback covers (003 第三十一条 "核心客户和重要客户"): these tiers.
    transferred_out_tiers: CsvList = ["gold", "silver"]
    periodic_gold_days: int = 14
    periodic_silver_days: int = 30
    periodic_ordinary_days: int = 91
    periodic_monthly_contact_days: int = 30  # after a core client's transfer out (003 第三十一条)
    selection_shards: int = 4
    # An account event older than this when it reaches a run (a migrated book, a years-old file)
    # is counted as "older_than_late_limit" and not selected; anything younger is, however late.
    selection_late_event_max_days: int = 92
    problem_sla_critical_hours: int = 8
    problem_sla_normal_working_days: int = 5
    fallback_after_unanswered_days: int = 3
    due_fallback_working_days: int = 3
    # A wrong number: the branch re-establishes the contact within N working days (seed 000 第五篇
    # 第十一条(三) "重新确定联系方式"); past it the callback falls back to a letter.
    contact_update_working_days: int = Field(3, ge=1, le=30)
    due_second_callback_working_days: int = 3
    coverage_new_account_months: int = 1
    coverage_existing_ratio: Decimal = Decimal("0.10")
    # The daily 10% sample (domain/sample.py); off only where a branch plans it elsewhere.
    sample_selection: bool = True
    sweep_initial_lookback_hours: int = 72
    # Suggested phone windows (001): "<weekday 0=Mon> HH:MM-HH:MM", Asia/Shanghai.
    call_windows: CsvList = [
        "0 14:30-17:00",
        "1 09:30-11:00",
        "1 15:00-17:00",
        "2 09:30-11:00",
        "2 15:00-17:00",
        "3 09:30-11:00",
        "3 15:00-17:00",
        "4 09:30-11:00",
    ]
    account_feed_max_events: int = 500
    import_summary_max_errors: int = 200
    # The core system's CSV import (domain/account_import.py): rows refused by a transient database
    # error are retried with jittered backoff, then the file stays incomplete and is resumed.
    import_transient_retries: int = 4
    import_retry_base_seconds: float = 0.2
    import_stop_margin_seconds: int = 60
    import_resume_max_files: int = 20
    selection_workers: int = 8
    selection_catch_up_max_days: int = 31
    selection_stop_margin_seconds: int = 60
    selection_conflict_retries: int = 5
    # Back-pressure (issue 18): a throttled or conflicting write of the selection job is retried with full
    # jitter (base * 2^n, at most the max delay) while the run's time budget lasts; with no deadline (an
    # operator's run) one write gives up after `give_up` seconds and the date stays partial for the next run.
    selection_retry_base_seconds: float = 0.05
    selection_retry_max_delay_seconds: float = 5.0
    selection_retry_give_up_seconds: float = 300.0
    # Fan-out (issue 18 §3): set (the packaged stack sets it), the 02:00 schedule queues one message per
    # (date, shard) and the shard function runs each in its own invocation; empty (make run, tests, the
    # operator runner), every shard runs in the scheduling process.
    selection_queue_url: str = ""
    # A shard queued but not completed after this long (its message dead-lettered, a crash) is queued again
    # by the next schedule; a repeated schedule inside it queues nothing.
    selection_requeue_after_seconds: int = 21600
    # A shard out of time queues its own continuation at most this many times per message chain.
    selection_max_continuations: int = 24

    @field_validator("cors_origins", "transferred_out_tiers", "oidc_scopes", "call_windows", mode="before")
    @classmethod
    def _split_csv(cls, raw):
        if isinstance(raw, str):
            return [part.strip() for part in raw.split(",") if part.strip()]
        return raw

    @property
    def stage_name(self) -> str:
        """The stage as a str: `_fail_closed` refuses a Settings without one, so it is always set here."""
        if not self.stage:
            raise RuntimeError("FIELDDESK_STAGE is required")
        return self.stage

    @property
    def dev_tokens_enabled(self) -> bool:
        """HS256 tokens and /v1/dev/token: a dev stage that asked for them (the validator refuses the rest)."""
        return self.dev_tokens and self.stage in DEV_STAGES and self.jwt_mode == "hs256"

    @model_validator(mode="after")
    def _fail_closed(self):
        """A deployed stage refuses to start on anything that would open it up (stages.py)."""
        fail_closed(self)
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Tests change the environment; this forgets the cached settings."""
    get_settings.cache_clear()
