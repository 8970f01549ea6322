from .common import ResponseModel


class Health(ResponseModel):
    status: str
    version: str
    stage: str
