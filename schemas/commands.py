"""Internal commands the pipeline sends itself (scheduler -> workers); not part of the public catalogue."""

from __future__ import annotations

from schemas.envelope import Model, TenantId


class OutboxFlush(Model):
    """Push whatever LinkedIn has not seen yet for one tenant."""

    tenant: TenantId
