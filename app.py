"""FieldDesk: Chalice app. Middleware and blueprint registration, nothing else."""
from chalice import Chalice

from chalicelib.api import accounts, directory, system
from chalicelib.api.middleware import http_conventions
from chalicelib.jobs import callbacks as callback_jobs

app = Chalice(app_name="fielddesk")
app.experimental_feature_flags.update(["BLUEPRINTS"])
app.register_middleware(http_conventions, "http")

app.register_blueprint(system.bp)
app.register_blueprint(directory.bp)
app.register_blueprint(accounts.bp)
app.register_blueprint(callback_jobs.bp)
