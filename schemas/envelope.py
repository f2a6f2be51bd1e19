"""The event envelope, modelled on CloudEvents 1.0.

``source`` + ``id`` identify an event (CloudEvents: "producers MUST ensure that source + id is unique
for each distinct event"); consumers deduplicate on that pair. ``type`` is versioned
(``ats.job.published.v1``): an incompatible change gets a new type and an upcaster from the old one.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

#: Tenant ids appear in URLs (the callback path) and queue-side logs: keep them to a slug.
TenantId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
#: Identifiers the ATS chooses (job, candidate, application ids). LinkedIn keys are free strings too.
AtsId = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\s&=]+$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class Model(BaseModel):
    """Base of every wire model: unknown fields are an error, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Event(Model):
    """Envelope fields shared by every event; subclasses fix ``type`` and type ``data``."""

    #: Queue and handler for this event type are in ``events.routes``.
    family: ClassVar[str] = ""

    specversion: Literal["1.0"] = "1.0"
    id: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        default_factory=lambda: uuid.uuid4().hex
    )
    source: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    type: str
    time: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str | None = None
    tenant: TenantId
    datacontenttype: Literal["application/json"] = "application/json"
    data: Any

    @property
    def dedup_key(self) -> tuple[str, str]:
        return (self.source, self.id)


def event_type_of(cls: type[Event]) -> str:
    """The literal ``type`` value a concrete event class accepts."""
    annotation = cls.model_fields["type"].annotation
    args: tuple[object, ...] = tuple(getattr(annotation, "__args__", ()))
    if len(args) != 1 or not isinstance(args[0], str):
        raise TypeError(f"{cls.__name__}.type must be a single Literal string")
    return args[0]
