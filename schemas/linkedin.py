"""Events born on the LinkedIn side: pushes turned into events by the ingress."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, StringConstraints

from schemas.envelope import Event, Model

RequestId = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ExportRequest(Model):
    #: LinkedIn's request id, used to fetch the export with GET exportedCandidates?q=request.
    request_id: RequestId
    #: The id of the push notification that announced it (pushes are deduplicated on it).
    push_id: RequestId
    notified_at: AwareDatetime


class ExportRequested(Event):
    """LinkedIn pushed EXPORT_CANDIDATE_PROFILE: a recruiter exported a member to a job."""

    family = "export"
    type: Literal["linkedin.export.requested.v1"]
    data: ExportRequest


class IntegrationStatusChange(Model):
    request_id: RequestId
    push_id: RequestId
    notified_at: AwareDatetime


class IntegrationStatusChanged(Event):
    """LinkedIn pushed INTEGRATION_STATUS_CHANGE: the customer enabled or disabled the integration."""

    family = "integration"
    type: Literal["linkedin.integration.status_changed.v1"]
    data: IntegrationStatusChange
