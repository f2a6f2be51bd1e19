"""LinkedIn push notifications and the events they become.

The push body's exact format is not public beyond its type and request id, so the model is
tolerant: ``type`` or ``eventType``, ``requestId``, an optional push ``id`` (the request id stands in
when it is missing) and an optional ``integrationContext`` and ``createdAt``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from schemas.envelope import Event
from schemas.linkedin import (
    ExportRequest,
    ExportRequested,
    IntegrationStatusChange,
    IntegrationStatusChanged,
)

#: CloudEvents source of every event the ingress creates.
PUSH_SOURCE = "linkedin://rsc/push"


#: Push ids are stored (the inbox); PostgreSQL's text cannot hold a NUL character.
NO_NUL = r"^[^\x00]*$"
#: The last millisecond of year 9999, the latest time a datetime holds.
LATEST_TIMESTAMP_MS = 253_402_300_799_999


class PushType(StrEnum):
    EXPORT_CANDIDATE_PROFILE = "EXPORT_CANDIDATE_PROFILE"
    INTEGRATION_STATUS_CHANGE = "INTEGRATION_STATUS_CHANGE"


class PushNotification(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    type: str = Field(validation_alias=AliasChoices("type", "eventType"), min_length=1, max_length=100)
    request_id: str = Field(
        validation_alias=AliasChoices("requestId", "request_id"),
        min_length=1,
        max_length=200,
        pattern=NO_NUL,
    )
    id: str | None = Field(default=None, min_length=1, max_length=200, pattern=NO_NUL)
    integration_context: str | None = Field(default=None, validation_alias="integrationContext")
    created_at_ms: int | None = Field(
        default=None, validation_alias="createdAt", ge=0, le=LATEST_TIMESTAMP_MS
    )

    @property
    def push_id(self) -> str:
        return self.id or self.request_id

    @property
    def notified_at(self) -> datetime:
        if self.created_at_ms is None:
            return datetime.now(UTC)
        return datetime.fromtimestamp(self.created_at_ms / 1000, UTC)


class UnsupportedPush(ValueError):
    pass


#: Per push type: the event it becomes, the event's type name and its data model.
EVENTS: dict[PushType, tuple[type[Event], str, type[ExportRequest] | type[IntegrationStatusChange]]] = {
    PushType.EXPORT_CANDIDATE_PROFILE: (ExportRequested, "linkedin.export.requested.v1", ExportRequest),
    PushType.INTEGRATION_STATUS_CHANGE: (
        IntegrationStatusChanged,
        "linkedin.integration.status_changed.v1",
        IntegrationStatusChange,
    ),
}


def to_event(push: PushNotification, tenant: str) -> Event:
    if push.type not in EVENTS:
        raise UnsupportedPush(f"push type {push.type[:60]!r} is not handled by this deployment")
    event, type_name, data = EVENTS[PushType(push.type)]
    return event(
        type=type_name,
        id=push.push_id,
        source=PUSH_SOURCE,
        tenant=tenant,
        time=push.notified_at,
        subject=push.request_id,
        data=data(request_id=push.request_id, push_id=push.push_id, notified_at=push.notified_at),
    )
