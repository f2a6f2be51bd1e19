"""Work that would talk to LinkedIn for a tenant whose integration is not enabled is settled, not run.

Nothing of a tenant reaches LinkedIn before LinkedIn confirmed its integration enabled, and nothing
after it was disabled. Messages of the gated actors (``events.routes``: pulls of exports, outbox
sweeps, prospect polls and seat refreshes, purge notice polls) are therefore acknowledged without
running while their tenant is PENDING or DISABLED, and each is recorded (``skipped_messages``:
queue, actor, event, reason) and counted (``rsc_skipped_messages_total``,
``rsc_messages_total{outcome="skipped"}``), instead of being retried until the retries run out or
dead-lettered. What each queue's settlement means is in docs/operations.md ("A tenant that is not enabled").

ATS events are not gated: the ATS's data is stored whatever the integration's state (the outbox
keeps what LinkedIn must learn, and the backfill sends the current state on enablement). Deletions
are not gated either: what LinkedIn holds of a deleted person is deleted whatever the state.
"""

from __future__ import annotations

from typing import Any

from dramatiq import Middleware
from dramatiq.broker import Broker, MessageProxy
from dramatiq.middleware import SkipMessage
from sqlalchemy import bindparam, select

from events.routes import GATED_ACTORS
from events.topology import queue_label
from rsc.logs import get_logger
from rsc.metrics import SKIPPED_MESSAGES, code_label
from store.skipped_messages import SkippedMessage, SkippedMessages
from store.tenants import Tenant, TenantStatus
from workers.runtime.middleware import event_fields
from workers.runtime.wiring import runtime

log = get_logger(__name__)

#: (reason code, reason) per status that holds work back.
REASONS = {
    TenantStatus.PENDING: (
        "integration_not_enabled",
        "the tenant's integration is not enabled in LinkedIn yet; nothing is sent before LinkedIn "
        "confirms it (INTEGRATION_STATUS_CHANGE, or `rsc tenant verify`)",
    ),
    TenantStatus.DISABLED: (
        "integration_disabled",
        "the tenant's integration is disabled; its data stays in the store and the historical "
        "backfill sends the current state once it is enabled again",
    ),
}


_STATUS = select(Tenant.status).where(Tenant.id == bindparam("tenant"))


def tenant_of(message: MessageProxy) -> str | None:
    """The tenant a message is for: the event's, or a command's ``tenant`` argument."""
    kwargs = message.kwargs if isinstance(message.kwargs, dict) else {}
    event = kwargs.get("event")
    tenant = event.get("tenant") if isinstance(event, dict) else kwargs.get("tenant")
    return tenant if isinstance(tenant, str) and 0 < len(tenant) <= 64 else None


def tenant_status(tenant: str) -> str | None:
    """The tenant's integration status as stored now, None for an unknown tenant.

    A bare autocommit read, not a session: it runs before every gated message.
    """
    with runtime().store.reader.connect() as conn:
        return conn.scalar(_STATUS, {"tenant": tenant})


class IntegrationGate(Middleware):
    def before_process_message(self, broker: Broker, message: MessageProxy) -> None:
        if message.actor_name not in GATED_ACTORS:
            return
        tenant = tenant_of(message)
        if tenant is None:
            return  # the actor refuses the message with the reason
        status = tenant_status(tenant)
        if status is None or status == TenantStatus.ENABLED:
            return  # an unknown tenant is the actor's to refuse
        code, reason = REASONS[TenantStatus(status)]
        self._record(message, tenant, code, reason)
        raise SkipMessage(code)

    def _record(self, message: MessageProxy, tenant: str, code: str, reason: str) -> None:
        fields: dict[str, Any] = event_fields(message)
        queue = message.queue_name.removesuffix(".DQ")
        SKIPPED_MESSAGES.labels(queue=queue_label(queue), reason=code_label(code)).inc()
        log.info("message settled without running", reason=code, tenant=tenant, actor=message.actor_name)
        try:
            with runtime().store.session(None) as session:
                SkippedMessages(session).record(
                    SkippedMessage(
                        tenant_id=tenant,
                        message_id=message.message_id,
                        queue=queue,
                        actor=message.actor_name,
                        event_type=fields.get("event_type"),
                        event_id=fields.get("event_id"),
                        reason_code=code,
                        reason=reason,
                    )
                )
                session.commit()
        except Exception:
            # The message is settled all the same; the metric and the log line say so.
            log.exception("could not record a settled message", message_id=message.message_id)
