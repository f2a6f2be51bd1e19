"""``rsc parked``: polled LinkedIn items (and seats) the readers could not read, kept for replay."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console

from cli import output
from rsc.settings import get_settings
from store.db import get_store

app = typer.Typer(
    help="Polled LinkedIn items the readers could not read: list, show, replay, drop.", no_args_is_help=True
)
console = Console()
TENANT = typer.Option(..., "--tenant", help="Tenant id.")


@app.command("list")
def list_parked(
    tenant: str = typer.Option(None, "--tenant", help="Only this tenant."),
    kind: str = typer.Option(None, help="conversationEvents, mailStubs, prospectNotes or seatsV2."),
    reason: str = typer.Option(None, help="Only this reason code (owner_unknown, invalid_field...)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per item (with --tenant) or count."),
) -> None:
    """Waiting items per tenant, kind and reason, then the items (never their content)."""
    from store.db import get_store
    from store.parked_items import waiting_counts
    from store.uow import UnitOfWork

    with get_store().session(None) as session:
        counts = [
            {
                "tenant": c.tenant_id,
                "kind": c.kind,
                "reason_code": c.reason_code,
                "waiting": c.count,
                "last_parked": c.last.isoformat(timespec="seconds"),
            }
            for c in waiting_counts(session, tenant)
            if not (kind and c.kind != kind) and not (reason and c.reason_code != reason)
        ]
    items: list[dict[str, Any]] = []
    if tenant is not None:
        with UnitOfWork(tenant, get_store()) as uow:
            items = [
                {
                    "key": row.key,
                    "kind": row.kind,
                    "item_id": row.item_id,
                    "reason_code": row.reason_code,
                    "times_parked": row.times_parked,
                    "first_parked": row.first_parked_at.isoformat(timespec="seconds"),
                }
                for row in uow.parked_items.waiting(kind=kind, reason_code=reason, limit=200)
            ]
    if as_json:
        for record in items if tenant is not None else counts:
            output.json_line(record)
        return
    output.table(
        None,
        ("tenant", "kind", "reason", "waiting", "last parked"),
        [(c["tenant"], c["kind"], c["reason_code"], c["waiting"], c["last_parked"]) for c in counts],
    )
    if tenant is None:
        if counts:
            output.say("name a tenant (--tenant) to list its items; `rsc parked show KEY --tenant T`")
        return
    output.table(
        None,
        ("key", "kind", "item id", "reason", "times", "first parked"),
        [
            (
                i["key"][:12],
                i["kind"],
                i["item_id"] or "-",
                i["reason_code"],
                i["times_parked"],
                i["first_parked"],
            )
            for i in items
        ],
    )


@app.command("show")
def show(
    key: str = typer.Argument(..., help="The item's key (or a prefix of it, as `rsc parked list` shows)."),
    tenant: str = TENANT,
    content: bool = typer.Option(
        False, "--content", help="Also print the item as LinkedIn sent it (it may hold personal data)."
    ),
    as_json: bool = typer.Option(False, "--json", help="One line of JSON (the default is indented JSON)."),
) -> None:
    """Why the item could not be read, the query that returned it, and its fields' names and types."""
    from store.uow import UnitOfWork
    from workers.prospect_polling.parked_replay import describe

    with UnitOfWork(tenant, get_store()) as uow:
        row = uow.parked_items.get(key)
        if row is None:
            raise output.fail(f"no parked item {key!r} of tenant {tenant!r} (or the prefix names several)")
        view = describe(row)
        if content:
            view["item"] = row.item
    if as_json:
        output.json_line(view)
    else:
        typer.echo(json.dumps(view, indent=2, ensure_ascii=False, default=str))


@app.command("replay")
def replay(
    tenant: str = TENANT,
    keys: list[str] = typer.Option([], "--key", help="Only this item (repeat for several)."),
    kind: str = typer.Option(None, help="Only items of this kind."),
    reason: str = typer.Option(None, help="Only items parked for this reason code."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be read; publish nothing."),
) -> None:
    """Read waiting items again with today's readers; readable ones are published (seats stored)."""
    from events.publisher import get_publisher
    from store.uow import UnitOfWork
    from workers.prospect_polling.parked_replay import replay as replay_items
    from workers.runtime.wiring import linkedin_for

    report = replay_items(
        UnitOfWork(tenant, get_store()),
        get_publisher(get_settings()),
        lambda: linkedin_for(tenant),
        keys=keys or None,
        settings=get_settings(),
        kind=kind,
        reason_code=reason,
        dry_run=dry_run,
    )
    verb = "would be read" if dry_run else "read"
    console.print(f"{report.replayed} item(s) {verb}; {report.published} event(s) published")
    for code, count in sorted(report.still_parked.items()):
        console.print(f"{count} item(s) still cannot be read ({code})")
    if report.calls:
        console.print(f"{report.calls} LinkedIn call(s) made to find owner seats")


@app.command("drop")
def drop(
    keys: list[str] = typer.Argument(..., help="Keys (or prefixes) of the items to drop."),
    tenant: str = TENANT,
) -> None:
    """Delete parked items for good (after reading them with `rsc parked show --content`)."""
    from store.uow import UnitOfWork

    with UnitOfWork(tenant, get_store()) as uow:
        dropped = []
        for key in keys:
            row = uow.parked_items.get(key)
            if row is None:
                raise output.fail(f"no parked item {key!r} of tenant {tenant!r}")
            uow.parked_items.drop(row.key)
            dropped.append(row.key[:12])
        uow.commit()
    console.print(f"dropped {', '.join(dropped)}")
