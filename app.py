"""FieldDesk: Chalice app. Middleware and blueprint registration, nothing else."""
from chalice import Chalice

from chalicelib.api import directory, system
from chalicelib.api.middleware import http_conventions
from chalicelib.api import audit, outlets_partner, prospects
from chalicelib.jobs import prospects as prospect_jobs

app = Chalice(app_name="fielddesk")
app.experimental_feature_flags.update(["BLUEPRINTS"])
app.register_middleware(http_conventions, "http")

app.register_blueprint(system.bp)
app.register_blueprint(directory.bp)
for intent_bp in (prospects.bp, outlets_partner.bp, audit.bp, prospect_jobs.bp):
    app.register_blueprint(intent_bp)
