"""FieldDesk: Chalice app. Middleware and blueprint registration, nothing else."""

import os

from chalice import Chalice

from chalicelib.api import (
    accounts,
    audit,
    branches,
    callback_reports,
    callback_tasks,
    complaints,
    directory,
    outlets_partner,
    problems,
    prospects,
    system,
    visits,
    web,
)
from chalicelib.api import calendar as calendar_api
from chalicelib.api import console as console_web
from chalicelib.api import declarations as declarations_api
from chalicelib.api import leave as leave_api
from chalicelib.api import openapi as openapi_api
from chalicelib.api import outbox as outbox_api
from chalicelib.api import penalties as penalties_api
from chalicelib.api import task_assignment as task_assignment_api
from chalicelib.api import travel as travel_api
from chalicelib.api.middleware import http_conventions
from chalicelib.config import get_settings
from chalicelib.jobs import callbacks as callback_jobs
from chalicelib.jobs import penalties as penalties_jobs
from chalicelib.jobs import prospects as prospect_jobs
from chalicelib.jobs import sweeps
from chalicelib.wiring import install as install_adapters

install_adapters()  # every domain port bound to its DynamoDB adapter (built on first use)
app = Chalice(app_name="fielddesk")
app.experimental_feature_flags.update(["BLUEPRINTS"])
app.register_middleware(http_conventions, "http")

for blueprint in (
    system.bp,
    openapi_api.bp,
    directory.bp,
    branches.bp,
    visits.bp,
    prospects.bp,
    outlets_partner.bp,
    audit.bp,
    penalties_api.bp,
    accounts.bp,
    callback_tasks.bp,
    task_assignment_api.bp,
    callback_reports.bp,
    problems.bp,
    calendar_api.bp,
    complaints.bp,
    outbox_api.bp,
    travel_api.bp,
    leave_api.bp,
    declarations_api.bp,
    web.bp,
    console_web.bp,
    prospect_jobs.bp,
    penalties_jobs.bp,
    callback_jobs.bp,
    sweeps.bp,
):
    app.register_blueprint(blueprint)

if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
    # In Lambda only (settings are otherwise read on first use): a stage whose settings fail closed
    # refuses to start, its init error naming the setting, instead of answering 500 to every request.
    get_settings()
