"""``rsc sync``: why a record did or did not reach LinkedIn (its ledger), and a tenant's sync problems."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer

from cli import output
from rsc.settings import get_settings
from store.db import get_store

app = typer.Typer(
    help="The sync ledger: one record's timeline, and the records that do not sync.", no_args_is_help=True
)

_TENANT_HELP = "The tenant the record belongs to."


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}Z" if value is not None else ""


@app.command()
def show(
    type_name: str = typer.Argument(
        ..., metavar="TYPE", help="job, candidate, application, note, export or inmail."
    ),
    record_id: str = typer.Argument(
        ..., metavar="ID", help="The record's id, or a prefix of it only one has."
    ),
    tenant: str = typer.Option(..., "--tenant", "-t", help=_TENANT_HELP),
    as_json: bool = typer.Option(False, "--json", help="The timeline as one JSON object."),
) -> None:
    """Print one record's timeline: events received, stored or ignored, pushes and LinkedIn's answers,
    refusals with their reason, waits, deletion."""
    from store.sync_ledger import RecordType
    from store.uow import UnitOfWork
    from workers.ledger.report import RecordNotFound, resolve, timeline

    try:
        record_type = RecordType(type_name)
    except ValueError:
        raise output.fail(
            f"no record type {type_name!r}; give one of {', '.join(t.value for t in RecordType)}"
        ) from None
    _known_tenant(tenant)
    try:
        with UnitOfWork(tenant, get_store()) as uow:
            found = timeline(uow, record_type, resolve(uow, record_type, record_id)).to_json()
    except RecordNotFound as exc:
        raise output.fail(str(exc)) from None
    if as_json:
        output.json_line(found)
        return
    print_timeline(tenant, found)


def print_timeline(tenant: str, found: dict[str, Any]) -> None:
    """A record's timeline (``Timeline.to_json()``) for people: where it stands, then its entries."""
    pairs: list[tuple[str, Any]] = [("record", f"{found['type']} {found['id']}"), ("tenant", tenant)]
    if found["erased_at"] is not None:
        erased = (
            f"erased with its candidate {_when(found['erased_at'])} (receipt {found['deletion_receipt']})"
        )
        pairs.append(("deleted", erased))
    state = found["state"]
    if state is not None and state["in_sync"]:
        pairs.append(("linkedin", "in sync"))
    elif state is not None:
        pairs.append(("linkedin", f"not in sync ({state['last_outcome'] or 'never sent'})"))
        if state["not_sent_since"] is not None:
            pairs.append(("not sent since", _when(state["not_sent_since"])))
    problem = found["problem"]
    if problem is not None:
        pairs += [
            ("problem", f"{problem['kind']}: {problem['reason_code']} since {_when(problem['since'])}"),
            ("why", problem["detail"]),
            ("fix", problem["fix"]),
        ]
    output.facts("Sync ledger", pairs)
    output.table(
        None,
        ("at", "step", "event or call", "detail"),
        [
            (
                _when(e["at"]),
                e["step"],
                f"{e['event_id']} from {e['event_source']}" if e["event_id"] else e["call"] or "",
                e["detail"] or "",
            )
            for e in found["entries"]
        ]
        or [("", "", "", "no entries (older than the retention, or erased)")],
    )


@app.command()
def problems(
    tenant: str = typer.Option(..., "--tenant", "-t", help="The tenant whose problems to list."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per reason, for machines."),
) -> None:
    """List the records that do not sync, grouped by reason, each reason with its fix: refused ones,
    ones waiting longer than RSC_DEPENDENCY_WAIT_S for a record they need, and stuck ones."""
    from store.uow import UnitOfWork
    from workers.ledger.report import problems as tenant_problems

    _known_tenant(tenant)
    with UnitOfWork(tenant, get_store()) as uow:
        groups = tenant_problems(uow, settings=get_settings())
    if as_json:
        for group in groups:
            output.json_line(group.to_json())
        return
    if not groups:
        output.say(f"no sync problems in tenant {tenant!r}")
        return
    for group in groups:
        output.say(f"{group.kind} {group.reason_code} ({len(group.records)}): fix: {group.fix}")
        output.table(
            None,
            ("type", "id", "since", "detail"),
            [(r["type"], r["id"], _when(r["since"]), r["detail"] or "") for r in group.records],
        )


def _known_tenant(tenant: str) -> None:
    from store.uow import OpsUnitOfWork

    with OpsUnitOfWork(get_store()) as ops:
        if ops.tenants.get(tenant) is None:
            raise output.fail(f"no tenant {tenant!r}; `rsc tenant list` shows them")
