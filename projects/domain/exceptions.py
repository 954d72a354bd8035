"""Errors the services raise besides Django's ValidationError (400); the API maps each to its status."""


class ServiceError(Exception):
    status_code = 400
    default_detail = ""

    def __init__(self, detail: str | None = None):
        self.detail = detail or self.default_detail
        super().__init__(self.detail)


class Conflict(ServiceError):
    """The request is valid but clashes with the current state (409)."""

    status_code = 409
    default_detail = "与当前状态冲突。"


class PreconditionFailed(ServiceError):
    """The caller's If-Match names a version that is no longer current (412)."""

    status_code = 412
    default_detail = "数据已被他人修改（If-Match 版本已过期），请刷新后重试。"


class IdempotencyKeyReused(ServiceError):
    """The same Idempotency-Key was sent with a different request body (422)."""

    status_code = 422
    default_detail = "该 Idempotency-Key 已用于另一个不同内容的请求。"


class Forbidden(ServiceError):
    """The caller's role may not do this, or not on this record (403); see projects.domain.roles."""

    status_code = 403
    default_detail = "您无权执行此操作。"
