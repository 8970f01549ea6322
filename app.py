"""FieldDesk: Chalice app. Middleware and blueprint registration, nothing else."""

import gc
import os

# Cold start (issue 17 §7): the cyclic garbage collector is paused while the app imports and resumed at the
# end of this module, with what the import built (modules, classes, models: alive for the container's
# life) frozen out of every later collection. The import builds ~47,000 tracked objects and no garbage (a
# full collection after it finds nothing), so the collections it would trigger are pure cost: 25-30 ms of a
# cold start (bench/cold_start.py, 11 samples, 2026-12-08). Only the import is covered: requests and jobs
# run with the collector on.
gc.disable()

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
    # AWS's advice for Lambda: build SDK clients in the init phase, not in the first request (and here under
    # the collector pause above). The API and every job but the selection read DynamoDB through this client
    # (the selection builds its own, with DynamoDB's retry policy, when it runs: storage/clients.job_retries).
    from chalicelib.storage.clients import dynamodb_client

    dynamodb_client()

gc.freeze()  # what the import built is never garbage: later collections skip it
gc.enable()
