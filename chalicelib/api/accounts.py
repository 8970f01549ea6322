"""The core system's account feed, and masked account views for staff."""

from __future__ import annotations

from chalice import Blueprint

from ..models.common import Role
from .routing import route

bp = Blueprint(__name__)
TAGS = ["accounts"]
VIEWERS = [Role.client_manager, Role.supervisor, Role.callback_agent, Role.compliance, Role.admin]


@route(
    bp,
    "/v1/account-events",
    "POST",
    roles=[Role.system],
    summary="Feed account events from the core system " "(up to 500; each accepted, duplicate or rejected)",
    body="chalicelib.models.accounts:AccountEventBatch",
    response="chalicelib.models.accounts:EventBatchResult",
    tags=TAGS,
)
def post_account_events(ctx, body):
    from ..domain import accounts

    return accounts.summarise(accounts.ingest(body.events, source=f"api:{ctx.principal.id}"))


@route(
    bp,
    "/v1/accounts",
    order="by account_id",
    roles=[Role.client_manager, Role.supervisor, Role.admin, Role.compliance],
    summary="Accounts served by a manager (client managers: their own)",
    query="chalicelib.models.accounts:AccountQuery",
    response="chalicelib.models.accounts:AccountPage",
    tags=TAGS,
)
def list_accounts(ctx, query):
    from ..domain import accounts
    from ..models.accounts import AccountOut

    page = accounts.list_accounts(ctx.principal, query.manager_id, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda a: AccountOut.model_validate(accounts.render(a)).model_dump(mode="json"))


@route(
    bp,
    "/v1/accounts/{account_id}",
    roles=VIEWERS,
    summary="An account, phone and ID number masked",
    response="chalicelib.models.accounts:AccountOut",
    tags=TAGS,
)
def get_account(ctx, account_id):
    from ..domain import accounts
    from ..models.accounts import AccountOut

    return AccountOut.model_validate(accounts.render(accounts.read_account(ctx.principal, account_id)))


@route(
    bp,
    "/v1/accounts/{account_id}/value-class",
    "PUT",
    roles=[Role.supervisor],
    summary="Set a client's value class A/B/C (002 第十九条); each change is kept with who, when and why",
    body="chalicelib.models.contact_plan:ValueClassIn",
    response="chalicelib.models.contact_plan:ValueClassOut",
    tags=TAGS,
    errors=(404, 409),
)
def put_value_class(ctx, account_id, body):
    from ..domain import contact_plan

    return contact_plan.set_value_class(ctx.principal, account_id, body)


@route(
    bp,
    "/v1/accounts/{account_id}/callback-quarters",
    roles=[Role.compliance, Role.admin],
    summary="An account's callbacks per quarter of a year (the cap of 2 a quarter holds back sampled ones)",
    query="chalicelib.models.coverage:YearQuery",
    response="chalicelib.models.coverage:CallbackQuarters",
    tags=TAGS,
    errors=(404,),
)
def callback_quarters(ctx, account_id, query):
    from ..domain import sample

    return sample.quarter_counts(ctx.principal, account_id, query.year)


@route(
    bp,
    "/v1/accounts/{account_id}/reveal",
    "POST",
    roles=[Role.callback_agent, Role.compliance],
    summary="Reveal the client's name and phone (an agent holding an open task on the account) or also the "
    "ID number (compliance, with a case); every attempt is recorded in the disclosure audit",
    body="chalicelib.models.disclosure:RevealRequest",
    response="chalicelib.models.accounts:RevealOut",
    tags=TAGS,
    idempotent=False,
    errors=(403, 404),
)
def reveal_account(ctx, account_id, body):
    from ..domain import accounts

    return accounts.reveal(ctx.principal, account_id, body)


@route(
    bp,
    "/v1/account-imports",
    roles=[Role.admin, Role.system],
    summary="The import summary of a core-system " "CSV file (by bucket, key and ETag)",
    query="chalicelib.models.accounts:ImportQuery",
    response="chalicelib.models.reports:ImportSummary",
    tags=TAGS,
    errors=(404,),
)
def get_import(ctx, query):
    from ..domain import account_import

    return account_import.get_import_summary(query.bucket, query.key, query.etag)
