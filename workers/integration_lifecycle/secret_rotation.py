"""Rotating a provisioned customer app's client secret without downtime (reference §1.1).

An application holds at most two secrets, both valid until one is deleted. A rotation therefore:
lists the app's secrets (two already: blocked, reported and recorded, never forced); creates a new
one; stores it as the tenant's secret; mints the app's next token with it, for every process to use
(which proves the new secret before anything depends on the old one being gone); and only then
deletes the old secret. A new secret LinkedIn refuses to mint with is not kept: the tenant goes on
with the old one. Tokens minted with the old secret keep working until they expire.

The scheduler asks for a rotation of every provisioned tenant whose secret is older than
``RSC_SECRET_ROTATION_DAYS`` (``rotation_commands``); ``rsc tenant rotate-secret`` runs one at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from linkedin.auth import AppCredentials, TokenCache
from linkedin.errors import LinkedInRejected
from linkedin.provisioning import ProvisionedApplications
from rsc.errors import PermanentError
from rsc.logs import get_logger
from schemas.commands import SecretRotation
from store.base import utcnow
from store.db import Store
from store.tenants import Tenant, tenants_due_for_rotation
from store.uow import OpsUnitOfWork

log = get_logger(__name__)

#: A rotation that did not complete is tried again by the scheduler after this long.
RETRY_AFTER = timedelta(days=1)


class NotProvisioned(PermanentError):
    """The tenant's app was not provisioned by this pipeline, so its secrets are not its to manage."""

    reason_code = "secret_rotation_not_provisioned"


class RotationBlocked(PermanentError):
    """The app holds two secrets already: LinkedIn refuses a third (§1.1)."""

    reason_code = "secret_rotation_blocked"


class RotationFailed(PermanentError):
    """LinkedIn refused the new secret: it was deleted again and the tenant keeps its old one."""

    reason_code = "secret_rotation_failed"


@dataclass(frozen=True)
class Rotation:
    tenant: str
    #: LinkedIn's id of the secret now in use, and of the ones deleted.
    secret_id: str
    deleted: tuple[str, ...]
    rotated_at: datetime


@dataclass(frozen=True)
class _App:
    client_id: str
    app_urn: str
    secret: str
    secret_id: str | None


def _app_of(store: Store, tenant_id: str) -> _App:
    with OpsUnitOfWork(store) as ops:
        tenant = ops.tenants.require(tenant_id)
        if tenant.app_urn is None:
            raise NotProvisioned(
                f"tenant {tenant_id!r} uses a customer app typed in by hand, not one this pipeline "
                "provisioned: rotate its secret where the app was provisioned, then "
                f"`rsc tenant create {tenant_id} --update` with the new one"
            )
        return _App(tenant.client_id, tenant.app_urn, tenant.client_secret(ops.keyring), tenant.secret_id)


def _record(store: Store, tenant_id: str, change: Callable[[Tenant], None]) -> None:
    with OpsUnitOfWork(store) as ops:
        change(ops.tenants.require(tenant_id))
        ops.commit()


def _failed(store: Store, tenant_id: str, error: PermanentError, now: datetime) -> PermanentError:
    def note(tenant: Tenant) -> None:
        tenant.secret_rotation_failed_at = now
        tenant.secret_rotation_error = str(error)

    _record(store, tenant_id, note)
    log.warning("secret rotation did not complete", tenant=tenant_id, reason=error.reason_code)
    return error


def rotate_secret(
    tenant_id: str,
    partner: ProvisionedApplications,
    tokens: TokenCache,
    *,
    store: Store,
    now: Callable[[], datetime] = utcnow,
) -> Rotation:
    """Rotate the tenant's client secret: new secret, stored, tokens minted with it, old deleted."""
    app = _app_of(store, tenant_id)
    before = partner.secrets(app.app_urn)
    if len(before) >= 2:
        raise _failed(store, tenant_id, _blocked(tenant_id, app, [s.secret_id for s in before]), now())
    try:
        created = partner.create_secret(app.app_urn)
    except LinkedInRejected as exc:
        if exc.status != 409:
            raise
        raise _failed(
            store, tenant_id, _blocked(tenant_id, app, [s.secret_id for s in before]), now()
        ) from exc
    _store_secret(store, tenant_id, created.client_secret, created.secret_id)
    try:
        tokens.renew(AppCredentials(app.client_id, created.client_secret))
    except PermanentError as exc:
        # The old secret still works: keep it, and take the refused new one away again.
        _store_secret(store, tenant_id, app.secret, app.secret_id)
        partner.delete_secret(app.app_urn, created.secret_id)
        failed = RotationFailed(
            f"LinkedIn refused to mint a token with the new secret of tenant {tenant_id!r} ({exc}); "
            "the tenant keeps its old secret"
        )
        raise _failed(store, tenant_id, failed, now()) from exc
    deleted = tuple(s.secret_id for s in before if s.secret_id != created.secret_id)
    for secret_id in deleted:
        partner.delete_secret(app.app_urn, secret_id)
    rotated_at = now()

    def done(tenant: Tenant) -> None:
        tenant.secret_rotated_at = rotated_at
        tenant.secret_rotation_failed_at = None
        tenant.secret_rotation_error = None

    _record(store, tenant_id, done)
    log.info("secret rotated", tenant=tenant_id, deleted=len(deleted))
    return Rotation(tenant_id, created.secret_id, deleted, rotated_at)


def _blocked(tenant_id: str, app: _App, held: list[str]) -> RotationBlocked:
    return RotationBlocked(
        f"the customer app of tenant {tenant_id!r} ({app.app_urn}) holds two secrets already "
        f"({', '.join(held)}); LinkedIn allows no third. Delete the one the tenant does not use "
        f"(`rsc tenant show {tenant_id}` names it when a rotation created it), then rotate again"
    )


def _store_secret(store: Store, tenant_id: str, secret: str, secret_id: str | None) -> None:
    def keep(tenant: Tenant) -> None:
        tenant.set_client_secret(store.keyring, secret)
        tenant.secret_id = secret_id

    _record(store, tenant_id, keep)


def still_due(store: Store, tenant_id: str, now: datetime, rotation_days: float) -> bool:
    """Whether the tenant's secret is (still) due a rotation: a redelivered request finds it rotated."""
    with OpsUnitOfWork(store) as ops:
        due = tenants_due_for_rotation(
            ops.session, now, max_age=timedelta(days=rotation_days), retry_after=RETRY_AFTER
        )
    return tenant_id in due


def rotation_commands(store: Store, now: datetime, rotation_days: float) -> list[SecretRotation]:
    """A rotation for each provisioned tenant whose secret is older than ``rotation_days``."""
    with store.session(None) as session:
        due = tenants_due_for_rotation(
            session, now, max_age=timedelta(days=rotation_days), retry_after=RETRY_AFTER
        )
    return [SecretRotation(tenant=tenant) for tenant in due]
