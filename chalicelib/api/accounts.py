"""The core system's account feed, and masked account views for staff."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..lazy import lazy
from ..models.common import Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import account_import, accounts, contact_plan, sample
    from ..models import accounts as accounts_models
    from ..models import contact_plan as contact_plan_models
    from ..models import coverage as coverage_models
    from ..models import disclosure as disclosure_models
    from ..models import reports as reports_models
else:
    account_import = lazy("chalicelib.domain.account_import")
    accounts = lazy("chalicelib.domain.accounts")
    contact_plan = lazy("chalicelib.domain.contact_plan")
    sample = lazy("chalicelib.domain.sample")
    accounts_models = lazy("chalicelib.models.accounts")
    contact_plan_models = lazy("chalicelib.models.contact_plan")
    coverage_models = lazy("chalicelib.models.coverage")
    disclosure_models = lazy("chalicelib.models.disclosure")
    reports_models = lazy("chalicelib.models.reports")

bp = Blueprint(__name__)
TAGS = ["accounts"]
VIEWERS = [Role.client_manager, Role.supervisor, Role.callback_agent, Role.compliance, Role.admin]


@route(
    bp,
    "/v1/account-events",
    "POST",
    roles=[Role.system],
    summary="Feed account events from the core system " "(up to 500; each accepted, duplicate or rejected)",
    body=lambda: accounts_models.AccountEventBatch,
    response=lambda: accounts_models.EventBatchResult,
    tags=TAGS,
)
def post_account_events(ctx: Ctx, body: accounts_models.AccountEventBatch) -> Any:
    return accounts.summarise(accounts.ingest(body.events, source=f"api:{ctx.user.id}"))


@route(
    bp,
    "/v1/accounts",
    order="by account_id",
    roles=[Role.client_manager, Role.supervisor, Role.admin, Role.compliance],
    summary="Accounts served by a manager (client managers: their own)",
    query=lambda: accounts_models.AccountQuery,
    response=lambda: accounts_models.AccountPage,
    tags=TAGS,
)
def list_accounts(ctx: Ctx, query: accounts_models.AccountQuery) -> Any:
    page = accounts.list_accounts(ctx.user, query.manager_id, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda a: accounts_models.AccountOut.model_validate(accounts.render(a)))


@route(
    bp,
    "/v1/accounts/{account_id}",
    roles=VIEWERS,
    summary="An account, phone and ID number masked",
    response=lambda: accounts_models.AccountOut,
    tags=TAGS,
)
def get_account(ctx: Ctx, account_id: str) -> Any:
    return accounts_models.AccountOut.model_validate(accounts.render(accounts.read_account(ctx.user, account_id)))


@route(
    bp,
    "/v1/accounts/{account_id}/value-class",
    "PUT",
    roles=[Role.supervisor],
    summary="Set a client's value class A/B/C (002 第十九条); each change is kept with who, when and why",
    body=lambda: contact_plan_models.ValueClassIn,
    response=lambda: contact_plan_models.ValueClassOut,
    tags=TAGS,
    errors=(404, 409),
)
def put_value_class(ctx: Ctx, account_id: str, body: contact_plan_models.ValueClassIn) -> Any:
    return contact_plan.set_value_class(ctx.user, account_id, body)


@route(
    bp,
    "/v1/accounts/{account_id}/callback-quarters",
    roles=[Role.compliance, Role.admin],
    summary="An account's callbacks per quarter of a year (the cap of 2 a quarter holds back sampled ones)",
    query=lambda: coverage_models.YearQuery,
    response=lambda: coverage_models.CallbackQuarters,
    tags=TAGS,
    errors=(404,),
)
def callback_quarters(ctx: Ctx, account_id: str, query: coverage_models.YearQuery) -> Any:
    return sample.quarter_counts(ctx.user, account_id, query.year)


@route(
    bp,
    "/v1/accounts/{account_id}/reveal",
    "POST",
    roles=[Role.callback_agent, Role.compliance],
    summary="Reveal the client's name and phone (an agent holding an open task on the account) or also the "
    "ID number (compliance, with a case); every attempt is recorded in the disclosure audit",
    body=lambda: disclosure_models.RevealRequest,
    response=lambda: accounts_models.RevealOut,
    tags=TAGS,
    idempotent=False,
    errors=(403, 404),
)
def reveal_account(ctx: Ctx, account_id: str, body: disclosure_models.RevealRequest) -> Any:
    return accounts.reveal(ctx.user, account_id, body)


@route(
    bp,
    "/v1/account-imports",
    roles=[Role.admin, Role.system],
    summary="The import summary of a core-system " "CSV file (by bucket, key and ETag)",
    query=lambda: accounts_models.ImportQuery,
    response=lambda: reports_models.ImportSummary,
    tags=TAGS,
    errors=(404,),
)
def get_import(ctx: Ctx, query: accounts_models.ImportQuery) -> Any:
    return account_import.get_import_summary(query.bucket, query.key, query.etag)
