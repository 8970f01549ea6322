"""FieldDesk: Chalice app. Middleware and blueprint registration, nothing else."""
from chalice import Chalice

from chalicelib.api import directory, system, visits, web
from chalicelib.api.middleware import http_conventions

app = Chalice(app_name="fielddesk")
app.experimental_feature_flags.update(["BLUEPRINTS"])
app.register_middleware(http_conventions, "http")

app.register_blueprint(system.bp)
app.register_blueprint(directory.bp)
app.register_blueprint(visits.bp)
app.register_blueprint(web.bp)
