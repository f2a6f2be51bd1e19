"""The customer's integrations and whether they are enabled: partner data sync is authorised only
once the customer enabled the integration in Recruiter (reference §3.2 step 5).

Which integration gates what is the sandbox's reading [I]: ATS-to-LinkedIn writes (jobs, candidates,
applications and their notes, stages and feedback) need one of the organization's company-level
integrations (ONE_CLICK_EXPORT, IN_ATS_INDICATOR, PROFILE_PLUGIN, enabled together as LinkedIn's
company bundle) ENABLED; the prospect interactions of a contract (seatsV2, conversationEvents,
mailStubs, prospectNotes) need that contract's CSA_API integration ENABLED (§6.6). Reads of synced
records and deletes are never gated: a customer who disabled the integration may still ask for its
data to be deleted (§6.6).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sandbox.records import Kind
from sandbox.restli import Key, canonical

if TYPE_CHECKING:
    from sandbox.apps import App
    from sandbox.state import Sandbox


class IntegrationType(StrEnum):
    ONE_CLICK_EXPORT = "ONE_CLICK_EXPORT"
    IN_ATS_INDICATOR = "IN_ATS_INDICATOR"
    PROFILE_PLUGIN = "PROFILE_PLUGIN"
    #: The only contract-keyed integration.
    CSA_API = "CSA_API"


class IntegrationStatus(StrEnum):
    NOT_ENABLED = "NOT_ENABLED"
    ENABLED = "ENABLED"
    DISABLED = "DISABLED"


#: The organization-keyed integrations (LinkedIn's company-level bundle).
COMPANY_TYPES = (
    IntegrationType.ONE_CLICK_EXPORT,
    IntegrationType.IN_ATS_INDICATOR,
    IntegrationType.PROFILE_PLUGIN,
)


def integration_key(context: str, integration_type: str) -> Key:
    """An integration's key as the sandbox stores it (v2's fields, dataProvider included)."""
    return {
        "integrationContext": context,
        "integrationType": integration_type,
        "tenantType": "RECRUITER",
        "dataProvider": "ATS",
    }


def _enabled(records: list[dict[str, Any]], integration_type: str, context: str | None = None) -> bool:
    return any(
        r["body"]["key"]["integrationType"] == integration_type
        and (context is None or r["body"]["key"]["integrationContext"] == context)
        and r["body"].get("status") == IntegrationStatus.ENABLED
        for r in records
    )


def _any_enabled(sandbox: Sandbox, org: str, types: tuple[str, ...], context: str | None = None) -> bool:
    # Asked on every sync write: one indexed lookup, the JSON read by SQLite.
    marks = ",".join("?" * len(types))
    row = sandbox.db.one(
        "SELECT 1 FROM records WHERE kind = ? AND org = ? AND parent = ''"  # noqa: S608 (only marks)
        " AND json_extract(body, '$.status') = ?"
        f" AND json_extract(body, '$.key.integrationType') IN ({marks})"
        " AND (? IS NULL OR json_extract(body, '$.key.integrationContext') = ?) LIMIT 1",
        (Kind.INTEGRATION, org, IntegrationStatus.ENABLED, *types, context, context),
    )
    return row is not None


def company_enabled(sandbox: Sandbox, org: str) -> bool:
    return _any_enabled(sandbox, org, COMPANY_TYPES)


def contract_enabled(sandbox: Sandbox, org: str, contract: str) -> bool:
    return _any_enabled(sandbox, org, (IntegrationType.CSA_API,), contract)


def app_keys(app: App, types: list[IntegrationType] | None = None) -> list[Key]:
    """The integrations of ``app``: its organization's company-level ones and a CSA_API per contract."""
    assert app.organization is not None
    wanted = types or list(IntegrationType)
    keys = [integration_key(app.organization, t) for t in wanted if t != IntegrationType.CSA_API]
    if IntegrationType.CSA_API in wanted:
        keys += [integration_key(contract, IntegrationType.CSA_API) for contract in app.contracts]
    return keys


def set_status(
    sandbox: Sandbox, app: App, status: IntegrationStatus, types: list[IntegrationType] | None = None
) -> list[dict[str, Any]]:
    """Record that the customer set ``app``'s integrations to ``status``; answers the records."""
    org = app.organization
    if org is None:
        raise ValueError(f"app '{app.client_id}' has no organization; bind one first")
    now = sandbox.clock.now_ms()
    changed = []
    for key in app_keys(app, types):
        name = canonical(key)
        record = sandbox.records.get(Kind.INTEGRATION, org, name) or {"key": key, "integrationName": None}
        record.update(status=status, lastModifiedAt=now)
        sandbox.records.put(Kind.INTEGRATION, org, name, record)
        changed.append(record)
    return changed


def enablement_view(sandbox: Sandbox, app: App) -> dict[str, Any]:
    """What the customer enabled, as the control API shows it on an app."""
    if app.organization is None:
        return {"company": False, "contracts": {contract: False for contract in app.contracts}}
    records = sandbox.records.all_of(Kind.INTEGRATION, app.organization)
    return {
        "company": any(_enabled(records, t) for t in COMPANY_TYPES),
        "contracts": {c: _enabled(records, IntegrationType.CSA_API, c) for c in app.contracts},
    }
