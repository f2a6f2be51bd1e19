"""The integration lifecycle actors."""

from __future__ import annotations

from events import routes
from schemas.commands import SecretRotation
from schemas.linkedin import IntegrationStatusChanged
from store.base import utcnow
from store.uow import UnitOfWork
from workers.integration_lifecycle.handlers import handle_status_changed
from workers.integration_lifecycle.secret_rotation import rotate_secret, still_due
from workers.runtime.declare import command_actor, event_actor
from workers.runtime.wiring import forget_tenant, linkedin_clients, linkedin_for, partner_linkedin, runtime


@event_actor(routes.INTEGRATION_STATUS)
def verify_integration_status(event: IntegrationStatusChanged) -> None:
    """LinkedIn pushed INTEGRATION_STATUS_CHANGE: verify it with LinkedIn, enable or disable the tenant."""
    handle_status_changed(
        event, UnitOfWork(event.tenant, runtime().store), linkedin_for(event.tenant), runtime().publisher
    )


@command_actor(routes.ROTATE_SECRET)
def rotate_secret_actor(command: SecretRotation) -> None:
    """Rotate the tenant's client secret (requested by the scheduler once it is due; a redelivery
    finds it rotated and changes nothing)."""
    store = runtime().store
    if not still_due(store, command.tenant, utcnow(), runtime().settings.secret_rotation_days):
        return
    try:
        rotate_secret(command.tenant, partner_linkedin(), linkedin_clients().tokens, store=store)
    finally:
        forget_tenant(command.tenant)
