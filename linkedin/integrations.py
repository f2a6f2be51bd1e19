"""Integrations (``atsIntegrations`` on v2, ``integrations`` on rest/): naming the customer's
integrations, their configurations (CALLBACK_URL) and reading their states, and the
INTEGRATION_STATUS_CHANGE a push announces (reference §3.2).

An integration is keyed by (integrationContext, integrationType, tenantType=RECRUITER), plus
``dataProvider=ATS`` on v2 only (``linkedin.versions``); its states read the same on both shapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from linkedin.batching import CompositeBatch, SimpleBatch
from linkedin.errors import LinkedInUnavailable
from linkedin.http import LinkedInHttp
from linkedin.restli import BatchResult
from linkedin.versions import Family
from store.integrations import IntegrationStatus, IntegrationType

#: (integration type, integration context: the organization URN, or a contract URN for CSA_API).
IntegrationKey = tuple[IntegrationType, str]


def _record_id(key: IntegrationKey) -> str:
    return f"{key[0].value}|{key[1]}"


def _key_values(record_id: str) -> dict[str, str]:
    """The integration's key fields in the pipeline's names (the table adds the constant ones)."""
    integration_type, _, context = record_id.partition("|")
    return {"integrationContext": context, "integrationType": IntegrationType(integration_type).value}


@dataclass(frozen=True)
class IntegrationReading:
    """One integration's state as LinkedIn reports it."""

    integration_type: IntegrationType
    context: str
    status: IntegrationStatus
    name: str | None = None
    modified_ms: int | None = None
    request_id: str | None = None

    @property
    def key(self) -> IntegrationKey:
        return (self.integration_type, self.context)


class UnreadableIntegration(ValueError):
    """LinkedIn answered an integration in a shape the client does not know."""


def reading_of(element: Mapping[str, Any], *, request_id: str | None = None) -> IntegrationReading:
    try:
        integration_type = IntegrationType(str(element["integrationType"]))
        status = IntegrationStatus(str(element["status"]))
        context = str(element["integrationContext"])
    except (KeyError, ValueError):
        raise UnreadableIntegration(
            "LinkedIn answered an integration without a known integrationType, integrationContext or status"
        ) from None
    modified = element.get("lastModifiedAt")
    name = element.get("integrationName")
    return IntegrationReading(
        integration_type=integration_type,
        context=context,
        status=status,
        name=name if isinstance(name, str) else None,
        modified_ms=modified if isinstance(modified, int) and not isinstance(modified, bool) else None,
        request_id=request_id
        or (element.get("requestId") if isinstance(element.get("requestId"), str) else None),
    )


class Integrations:
    def __init__(self, http: LinkedInHttp) -> None:
        self._http = http
        self._batch = CompositeBatch(http, Family.INTEGRATIONS, _key_values)

    def name(self, names: Mapping[IntegrationKey, str]) -> BatchResult:
        """Name (or rename) integrations; the result is keyed like ``names``' ``TYPE|context`` ids."""

        def patch(name: str) -> dict[str, Any]:
            return {"patch": {"$set": {"integrationName": name}}}

        return self._batch.send(
            "POST", "batch_partial_update", {_record_id(k): v for k, v in names.items()}, body_of=patch
        )

    def statuses(self, keys: Iterable[IntegrationKey]) -> dict[IntegrationKey, IntegrationReading]:
        """The current state of each integration; one LinkedIn does not know reads as NOT_NAMED."""
        wanted = {_record_id(k): k for k in keys}
        result = self._batch.send("GET", None, dict.fromkeys(wanted))
        if result.failed:
            raise LinkedInUnavailable(
                f"LinkedIn failed to report {len(result.failed)} of {len(wanted)} integrations; retry later"
            )
        readings: dict[IntegrationKey, IntegrationReading] = {}
        for record_id, key in wanted.items():
            element = result.ok.get(record_id)
            if isinstance(element, Mapping):
                readings[key] = reading_of(element)
            else:
                readings[key] = IntegrationReading(key[0], key[1], IntegrationStatus.NOT_NAMED)
        return readings

    def status_change(self, request_id: str) -> list[IntegrationReading]:
        """The integrations an INTEGRATION_STATUS_CHANGE push announced (``q=request``)."""
        response = self._http.call(
            "GET", self._batch.endpoint, params=[("q", "request"), ("requestId", request_id)]
        )
        elements = (response.json() if response.content else {}).get("elements") or []
        shape = self._batch.shape
        return [
            reading_of(shape.from_linkedin(e), request_id=request_id)
            for e in elements
            if isinstance(e, Mapping)
        ]

    def configurations(self, integration_type: IntegrationType, context: str) -> SimpleBatch:
        """The integration's configurations (``CALLBACK_URL`` hangs off ONE_CLICK_EXPORT)."""
        return self._batch.sub(_record_id((integration_type, context)), Family.INTEGRATION_CONFIGURATIONS)

    def set_configurations(
        self, integration_type: IntegrationType, context: str, values: Mapping[str, str]
    ) -> BatchResult:
        """PUT string configurations (name -> value)."""
        return self.configurations(integration_type, context).upsert(
            {name: {"configurationValue": {"string": value}} for name, value in values.items()}
        )
