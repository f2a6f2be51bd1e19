"""Tenant isolation enforced by the session, not by every query remembering a WHERE clause.

A session opened for tenant T (``session.info["tenant"] = T``) gets ``tenant_id = T`` added to every
ORM select, update and delete on tenant-scoped tables, and refuses to flush a tenant-scoped row of
another tenant. Core statements built by the repositories pass the tenant explicitly.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from store.base import TenantScoped


class CrossTenantWrite(RuntimeError):
    pass


@event.listens_for(Session, "do_orm_execute")
def _scope_statements(state: ORMExecuteState) -> None:
    tenant = state.session.info.get("tenant")
    if tenant is None or not (state.is_select or state.is_update or state.is_delete):
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.tenant_id == tenant,
            include_aliases=True,
        )
    )


@event.listens_for(Session, "before_flush")
def _refuse_foreign_rows(session: Session, _context: Any, _instances: Any) -> None:
    tenant = session.info.get("tenant")
    if tenant is None:
        return
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, TenantScoped) and obj.tenant_id != tenant:
            raise CrossTenantWrite(
                f"a session of tenant {tenant!r} tried to write a row of tenant {obj.tenant_id!r}"
            )
