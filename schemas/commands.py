"""Internal commands the pipeline sends itself (scheduler -> workers); not part of the public catalogue."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from schemas.envelope import Model, TenantId


class OutboxFlush(Model):
    """Push whatever LinkedIn has not seen yet for one tenant."""

    tenant: TenantId


class JobTaskPoll(Model):
    """Read a tenant's due simpleJobPostingTasks: did LinkedIn apply or fail each job posting?"""

    tenant: TenantId


class SeatRefresh(Model):
    """Read a tenant's Recruiter seats from seatsV2 and connect them to ATS users."""

    tenant: TenantId
    #: Only these contracts (a retry of contracts whose read failed); None: every contract read.
    contracts: list[Annotated[str, StringConstraints(pattern=r"^urn:li:contract:\d+$")]] | None = None


class SeatPoll(Model):
    """Poll one mapped seat: its InMails, and its stubs and notes while it catches up (back-fill)."""

    tenant: TenantId
    seat: Annotated[str, StringConstraints(pattern=r"^urn:li:seat:\d+$")]


class ContractPoll(Model):
    """Poll the InMail stubs and prospect notes of every caught-up mapped seat of one contract."""

    tenant: TenantId
    contract: Annotated[str, StringConstraints(pattern=r"^urn:li:contract:\d+$")]


class MembersChanged(Model):
    """Re-match the candidates of one tenant whose LinkedIn members' data changed (profile match sweep)."""

    tenant: TenantId


class DeletionSweep(Model):
    """Send the deletes LinkedIn has not confirmed yet for one tenant (deletion receipts due a try)."""

    tenant: TenantId


class PurgeNoticePoll(Model):
    """Read a tenant's new notices from atsPurgedExportedCandidates (at least every 30 days)."""

    tenant: TenantId


class SecretRotation(Model):
    """Rotate the client secret of a tenant's provisioned customer app (two-secret overlap)."""

    tenant: TenantId


class BackfillSlice(Model):
    """Work on one run of a tenant's historical backfill for a while, then hand over to the next slice."""

    tenant: TenantId
    run: Annotated[int, Field(ge=1)]
