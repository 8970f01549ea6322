"""FieldDesk: Chalice app. Middleware and blueprint registration, nothing else."""
from chalice import Chalice

from chalicelib.api import callback_tasks, directory, system, visits
from chalicelib.api import penalties as penalties_api
from chalicelib.api.middleware import http_conventions
from chalicelib.jobs import penalties as penalties_jobs
from chalicelib.jobs import sweeps

app = Chalice(app_name="fielddesk")
app.experimental_feature_flags.update(["BLUEPRINTS"])
app.register_middleware(http_conventions, "http")

app.register_blueprint(system.bp)
app.register_blueprint(directory.bp)
app.register_blueprint(visits.bp)
app.register_blueprint(penalties_api.bp)
app.register_blueprint(penalties_jobs.bp)
app.register_blueprint(callback_tasks.bp)
app.register_blueprint(sweeps.bp)
