"""How LinkedIn failures map onto the pipeline's retry policy."""

from __future__ import annotations

from rsc.errors import PermanentError, TransientError


class LinkedInUnavailable(TransientError):
    """429, 5xx, timeouts and connection errors that outlasted the client's own retries."""

    reason_code = "linkedin_unavailable"

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class LinkedInRejected(PermanentError):
    """LinkedIn refused the request as invalid (4xx other than 401/429); retrying cannot help."""

    reason_code = "linkedin_rejected"

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class LinkedInNotFound(LinkedInRejected):
    reason_code = "linkedin_not_found"


class LinkedInAuthFailed(PermanentError):
    """The customer app's credentials are refused: the tenant's client id or secret is wrong."""

    reason_code = "linkedin_auth_failed"


class LinkedInVersionSunset(LinkedInRejected):
    """LinkedIn no longer serves the API version the client sends (HTTP 426)."""

    reason_code = "linkedin_version_sunset"
