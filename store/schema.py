"""Every table, imported in one place for Alembic and ``create_all``."""

from store import (
    applications,
    candidate_merges,
    candidates,
    contracts,
    dead_letters,
    exports,
    inbox,
    inmails,
    jobs,
    linkedin_quota,
    linkedin_sync,
    mail_stubs,
    note_notifications,
    prospect_notes,
    prospect_polls,
    seats,
    sweep_leases,
    tenants,
    users,
)
from store.base import Base

metadata = Base.metadata

__all__ = [
    "applications",
    "candidate_merges",
    "candidates",
    "contracts",
    "dead_letters",
    "exports",
    "inbox",
    "inmails",
    "jobs",
    "linkedin_quota",
    "linkedin_sync",
    "mail_stubs",
    "metadata",
    "note_notifications",
    "prospect_notes",
    "prospect_polls",
    "seats",
    "sweep_leases",
    "tenants",
    "users",
]
