"""A tenant's integration from setup to switch-off (reference §3.2, §6.6).

**Onboarding** names the customer's integrations in LinkedIn (ONE_CLICK_EXPORT, IN_ATS_INDICATOR and
PROFILE_PLUGIN for its organization, CSA_API for each selected Recruiter contract), registers its
CALLBACK_URL (``{RSC_PUBLIC_BASE_URL}/webhooks/linkedin/{tenant}``, one per customer), and reads
their states.

**Enabling.** The customer enables the integration in Recruiter; LinkedIn pushes
INTEGRATION_STATUS_CHANGE to the callback. The push is not trusted as it is: the handler reads the
change with LinkedIn's authenticated ``q=request`` finder, checks that it concerns this tenant's
organization, then reads the current state of every integration of the tenant (so pushes handled
out of order still leave the latest state). Once a company-level integration is enabled the tenant
is ENABLED and its historical backfill starts; before that nothing of it is sent to LinkedIn.

**Disabling**, by the customer (a push) or the operator (``rsc tenant disable``), stops every sync of
the tenant: the backfill stops, the outbox keeps what changed, queued work is settled without
running (``workers.runtime.integration_gate``). ``--purge-remote`` also deletes from LinkedIn what it holds.

**Legacy CSA tenants** sync as before (they are ENABLED) until their customer enables the new
integration, which moves them to it and starts the backfill; only a DISABLED reading disables them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from events.publisher import EventPublisher
from linkedin.client import LinkedInClient
from linkedin.integrations import IntegrationKey, IntegrationReading
from rsc.errors import PermanentError
from rsc.logs import get_logger
from rsc.metrics import INTEGRATION_TRANSITIONS
from rsc.settings import Settings
from schemas.linkedin import IntegrationStatusChanged
from store.backfill import BackfillKind, BackfillState
from store.integrations import COMPANY_INTEGRATIONS, IntegrationStatus, IntegrationType
from store.tenants import Tenant, TenantStatus, lock_tenant
from store.uow import UnitOfWork
from workers.shared.backfill_runs import request_runner, start_run

log = get_logger(__name__)

CONSUMER = "integration_lifecycle"

#: How each integration is called in the names shown to the customer in Recruiter.
LABELS = {
    IntegrationType.ONE_CLICK_EXPORT: "One-Click Export",
    IntegrationType.IN_ATS_INDICATOR: "In-ATS Indicator",
    IntegrationType.PROFILE_PLUGIN: "Profile Plugin",
    IntegrationType.CSA_API: "Cross-System Awareness",
}


class ForeignIntegrationContext(PermanentError):
    reason_code = "foreign_integration_context"


class TenantGone(PermanentError):
    reason_code = "unknown_tenant"


def integration_name(customer: str, integration_type: IntegrationType, context: str) -> str:
    name = f"{customer} LinkedIn Recruiter {LABELS[integration_type]} Integration"
    if integration_type is IntegrationType.CSA_API:
        name += f" (contract {context.rsplit(':', 1)[-1]})"
    return name


def callback_url_for(tenant_id: str, *, settings: Settings) -> str:
    """The tenant's CALLBACK_URL: the ingress's push path, unique per customer (reference §5)."""
    return f"{settings.public_base_url.rstrip('/')}/webhooks/linkedin/{tenant_id}"


@dataclass(frozen=True)
class Transition:
    before: TenantStatus
    after: TenantStatus
    #: A legacy CSA tenant moved to the new integration.
    left_legacy: bool = False
    #: The run started by this transition (the backfill on enabling, a purge on request).
    started_run: int | None = None
    stopped_run: int | None = None

    @property
    def changed(self) -> bool:
        return self.before is not self.after or self.left_legacy


@dataclass
class OnboardingReport:
    callback_url: str
    named: list[str] = field(default_factory=list)
    #: Integrations (``TYPE context``) or configurations LinkedIn refused, with its reason.
    refused: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    transition: Transition | None = None


def _tenant(uow: UnitOfWork) -> Tenant:
    tenant = uow.session.get(Tenant, uow.tenant)
    if tenant is None:
        raise TenantGone(f"tenant {uow.tenant!r} does not exist; create it with `rsc tenant create`")
    return tenant


def integration_keys(org_urn: str, contracts: Iterable[str]) -> list[IntegrationKey]:
    """Every integration of a tenant: the company-level ones and one CSA_API per selected contract."""
    keys: list[IntegrationKey] = [(t, org_urn) for t in COMPANY_INTEGRATIONS]
    keys += [(IntegrationType.CSA_API, urn) for urn in sorted(set(contracts))]
    return keys


def _label(key: IntegrationKey) -> str:
    return f"{key[0].value} {key[1]}"


def onboard(
    uow: UnitOfWork, linkedin: LinkedInClient, publisher: EventPublisher, *, settings: Settings
) -> OnboardingReport:
    """Name the tenant's integrations, register its CALLBACK_URL and JOB_POSTING_VIEWERS, and take in
    their states.

    Safe to run again (after a contract was added, or to rename): names and the URL are upserts.
    """
    with uow:
        tenant = _tenant(uow)
        org, customer = tenant.org_urn, tenant.display_name or tenant.id
        viewers = tenant.job_posting_viewers
        keys = integration_keys(org, uow.contracts.urns())
    report = OnboardingReport(callback_url=callback_url_for(uow.tenant, settings=settings))
    names = {key: integration_name(customer, *key) for key in keys}
    named = linkedin.integrations.name(names)
    by_id = {f"{k[0].value}|{k[1]}": k for k in keys}
    for record_id, (status, message) in {**named.rejected, **named.failed}.items():
        report.refused[_label(by_id[record_id])] = f"{status} {message}".strip()
    configured = linkedin.integrations.set_configurations(
        IntegrationType.ONE_CLICK_EXPORT,
        org,
        {"CALLBACK_URL": report.callback_url, "JOB_POSTING_VIEWERS": viewers},
    )
    for name, (status, message) in {**configured.rejected, **configured.failed}.items():
        report.refused[name] = f"{status} {message}".strip()
    readings = linkedin.integrations.statuses(keys)
    with uow:
        for record_id in named.ok:
            key = by_id[record_id]
            uow.integrations.named(key[0], key[1], names[key])
            report.named.append(_label(key))
        tenant = _tenant(uow)
        if "CALLBACK_URL" in configured.ok:
            tenant.callback_url = report.callback_url
        report.transition = apply_readings(uow, readings.values(), cause="onboarding")
        uow.commit()
    report.statuses = {_label(k): r.status.value for k, r in readings.items()}
    _after(uow, report.transition, publisher, cause="onboarding")
    return report


def handle_status_changed(
    event: IntegrationStatusChanged, uow: UnitOfWork, linkedin: LinkedInClient, publisher: EventPublisher
) -> Transition | None:
    """Verify an INTEGRATION_STATUS_CHANGE with LinkedIn and apply it once (None: already applied)."""
    with uow:
        if uow.inbox.seen(CONSUMER, event.source, event.id):
            return None
        tenant = _tenant(uow)
        org, contracts = tenant.org_urn, set(uow.contracts.urns())
    request_id = event.data.request_id
    announced = linkedin.integrations.status_change(request_id)
    foreign = sorted({r.context for r in announced if r.integration_type.company_level and r.context != org})
    if foreign:
        raise ForeignIntegrationContext(
            f"integration status change {request_id!r} concerns {', '.join(foreign)}, not tenant "
            f"{uow.tenant!r} ({org}); it was not applied"
        )
    unselected = sorted({r.context for r in announced if not r.integration_type.company_level} - contracts)
    if unselected:
        log.warning("status change names contracts the tenant did not select", count=len(unselected))
    current = linkedin.integrations.statuses(integration_keys(org, contracts))
    readings = [_with_request(reading, request_id, announced) for reading in current.values()]
    enabled_now = any(
        r.integration_type.company_level and r.status is IntegrationStatus.ENABLED for r in announced
    )
    with uow:
        if not uow.inbox.record(CONSUMER, event.source, event.id):
            return None  # another delivery of the same push got here first
        transition = apply_readings(uow, readings, cause="push", announced_enabled=enabled_now)
        uow.commit()
    _after(uow, transition, publisher, cause="push")
    return transition


def _with_request(
    reading: IntegrationReading, request_id: str, announced: list[IntegrationReading]
) -> IntegrationReading:
    if reading.key not in {r.key for r in announced}:
        return reading
    return IntegrationReading(
        reading.integration_type,
        reading.context,
        reading.status,
        reading.name,
        reading.modified_ms,
        request_id,
    )


def verify(uow: UnitOfWork, linkedin: LinkedInClient, publisher: EventPublisher) -> Transition:
    """Read the tenant's integration states from LinkedIn now and apply them (``rsc tenant verify``)."""
    with uow:
        tenant = _tenant(uow)
        keys = integration_keys(tenant.org_urn, uow.contracts.urns())
    readings = linkedin.integrations.statuses(keys)
    with uow:
        transition = apply_readings(uow, readings.values(), cause="verify")
        uow.commit()
    _after(uow, transition, publisher, cause="verify")
    return transition


def apply_readings(
    uow: UnitOfWork,
    readings: Iterable[IntegrationReading],
    *,
    cause: str,
    announced_enabled: bool = False,
) -> Transition:
    """Store LinkedIn's readings and move the tenant accordingly (inside ``uow``; the caller commits)."""
    readings = list(readings)
    for reading in readings:
        uow.integrations.observe(
            reading.integration_type,
            reading.context,
            reading.status,
            modified_ms=reading.modified_ms,
            request_id=reading.request_id,
        )
    tenant = lock_tenant(uow.session, uow.tenant)
    if tenant is None:
        raise TenantGone(f"tenant {uow.tenant!r} does not exist; create it with `rsc tenant create`")
    before = TenantStatus(tenant.status)
    enabled = uow.integrations.company_enabled()
    explicit_off = any(
        r.integration_type.company_level and r.status is IntegrationStatus.DISABLED for r in readings
    )
    may_enable = not tenant.disabled_by_operator or announced_enabled or cause in ("verify", "onboarding")
    if enabled and may_enable and (before is not TenantStatus.ENABLED or tenant.legacy_csa):
        return _enable(uow, tenant, before, cause)
    if not enabled and before is TenantStatus.ENABLED and (not tenant.legacy_csa or explicit_off):
        stopped = _stop_sync(uow, "the integration was disabled in LinkedIn Recruiter")
        tenant.set_status(TenantStatus.DISABLED, f"LinkedIn reports the integration disabled ({cause})")
        tenant.legacy_csa = False
        return Transition(before, TenantStatus.DISABLED, stopped_run=stopped)
    return Transition(before, before)


def _enable(uow: UnitOfWork, tenant: Tenant, before: TenantStatus, cause: str) -> Transition:
    left_legacy = tenant.legacy_csa
    reason = (
        "moved from the legacy CSA integration: LinkedIn confirmed the new integration enabled"
        if left_legacy
        else "LinkedIn confirmed the integration enabled"
    )
    tenant.set_status(TenantStatus.ENABLED, f"{reason} ({cause})")
    tenant.legacy_csa = False
    tenant.disabled_by_operator = False
    stopped = None
    active = uow.backfills.active()
    if active is not None:
        uow.backfills.stop(active, "replaced by the historical sync of a new enablement")
        stopped = active.run
    run = start_run(uow, BackfillKind.SYNC, reason="the integration was enabled")
    return Transition(
        before, TenantStatus.ENABLED, left_legacy=left_legacy, started_run=run.run, stopped_run=stopped
    )


def _stop_sync(uow: UnitOfWork, reason: str) -> int | None:
    active = uow.backfills.active()
    if active is None or active.kind != BackfillKind.SYNC:
        return None
    uow.backfills.stop(active, reason)
    return active.run


def disable(
    uow: UnitOfWork, reason: str, publisher: EventPublisher, *, purge_remote: bool = False
) -> Transition:
    """The operator stops every sync of the tenant; ``purge_remote`` deletes what LinkedIn holds."""
    with uow:
        tenant = lock_tenant(uow.session, uow.tenant)
        if tenant is None:
            raise TenantGone(f"tenant {uow.tenant!r} does not exist; create it with `rsc tenant create`")
        before = TenantStatus(tenant.status)
        stopped = _stop_sync(uow, "the operator disabled the integration")
        tenant.set_status(TenantStatus.DISABLED, f"disabled by the operator: {reason}")
        tenant.disabled_by_operator = True
        started = None
        if purge_remote:
            active = uow.backfills.active()
            if active is not None and active.kind == BackfillKind.PURGE:
                if active.state == BackfillState.PAUSED:
                    uow.backfills.resume(active)
                started = active.run
            else:
                started = start_run(uow, BackfillKind.PURGE, reason="rsc tenant disable --purge-remote").run
        uow.commit()
    transition = Transition(before, TenantStatus.DISABLED, started_run=started, stopped_run=stopped)
    _after(uow, transition, publisher, cause="operator")
    return transition


def _after(uow: UnitOfWork, transition: Transition | None, publisher: EventPublisher, *, cause: str) -> None:
    if transition is None:
        return
    if transition.changed:
        INTEGRATION_TRANSITIONS.labels(status=transition.after.value, cause=cause).inc()
        log.info(
            "tenant integration changed",
            status=transition.after.value,
            previous_status=transition.before.value,
            cause=cause,
            run=transition.started_run,
        )
    if transition.started_run is not None:
        # The scheduler would ask for a runner too; asking now saves a tick.
        try:
            request_runner(uow, transition.started_run, publisher)
        except Exception as exc:
            log.warning(
                "could not queue the backfill now; the scheduler will", error_class=type(exc).__name__
            )
