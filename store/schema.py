"""Every table, imported in one place for Alembic and ``create_all``."""

from store import applications, candidates, dead_letters, exports, inbox, jobs, linkedin_sync, tenants
from store.base import Base

metadata = Base.metadata

__all__ = [
    "applications",
    "candidates",
    "dead_letters",
    "exports",
    "inbox",
    "jobs",
    "linkedin_sync",
    "metadata",
    "tenants",
]
