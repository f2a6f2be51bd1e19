"""The integration lifecycle actor."""

from __future__ import annotations

from events import routes
from events.publisher import get_publisher
from schemas.linkedin import IntegrationStatusChanged
from store.uow import UnitOfWork
from workers.integration_lifecycle.handlers import handle_status_changed
from workers.runtime.declare import event_actor
from workers.runtime.wiring import linkedin_for


@event_actor(routes.INTEGRATION_STATUS)
def verify_integration_status(event: IntegrationStatusChanged) -> None:
    """LinkedIn pushed INTEGRATION_STATUS_CHANGE: verify it with LinkedIn, enable or disable the tenant."""
    handle_status_changed(event, UnitOfWork(event.tenant), linkedin_for(event.tenant), get_publisher())
