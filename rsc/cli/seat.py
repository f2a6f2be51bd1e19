"""``rsc seat``: Recruiter contracts, seats and the ATS users connected to them."""

from __future__ import annotations

import re

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="LinkedIn Recruiter seats and the ATS users connected to them.", no_args_is_help=True)
console = Console()

_CONTRACT = re.compile(r"^urn:li:contract:\d+$")
_SEAT = re.compile(r"^urn:li:seat:\d+$")
TENANT = typer.Option(..., "--tenant", help="Tenant id.")


def _seat_urn(value: str) -> str:
    urn = value if value.startswith("urn:") else f"urn:li:seat:{value}"
    if not _SEAT.match(urn):
        raise typer.BadParameter("a seat is urn:li:seat:<number> (or just the number)")
    return urn


@app.command("contract-add")
def contract_add(
    contract: str = typer.Argument(..., help="Recruiter contract URN, urn:li:contract:<id>."),
    tenant: str = TENANT,
) -> None:
    """Poll this Recruiter contract's seats, InMails and notes for the tenant."""
    from store.uow import UnitOfWork

    if not _CONTRACT.match(contract):
        raise typer.BadParameter("a contract is urn:li:contract:<number>")
    with UnitOfWork(tenant) as uow:
        added = uow.contracts.add(contract)
        uow.commit()
    console.print(f"contract {contract} {'added' if added else 'was already there'} for tenant {tenant}")


@app.command("refresh")
def refresh(tenant: str = TENANT) -> None:
    """Read the seats from LinkedIn (seatsV2) now and connect them to users."""
    from store.uow import UnitOfWork
    from workers.runtime import linkedin_for
    from workers.seat_mapping import refresh_seats

    report = refresh_seats(UnitOfWork(tenant), linkedin_for(tenant))
    console.print(f"seats refreshed; newly connected: {len(report.connected)}")


@app.command("map")
def map_seat(
    user: str = typer.Argument(..., help="ATS user id."),
    seat: str = typer.Argument(..., help="Seat URN (urn:li:seat:N) or number."),
    tenant: str = TENANT,
) -> None:
    """Connect an ATS user to a Recruiter seat by hand (the seat's history is back-filled)."""
    from store.uow import UnitOfWork
    from workers.errors import PermanentError
    from workers.seat_mapping import map_seat as connect

    with UnitOfWork(tenant) as uow:
        try:
            released = connect(uow, user, _seat_urn(seat))
        except PermanentError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
        uow.commit()
    note = f" (disconnected from {', '.join(released)})" if released else ""
    console.print(f"user {user} connected to {_seat_urn(seat)}{note}")


@app.command("unmap")
def unmap(
    seat: str = typer.Argument(..., help="Seat URN (urn:li:seat:N) or number."),
    tenant: str = TENANT,
) -> None:
    """Disconnect a seat by hand; it stays disconnected until mapped again."""
    from store.uow import UnitOfWork
    from workers.errors import PermanentError
    from workers.seat_mapping import unmap_seat

    with UnitOfWork(tenant) as uow:
        try:
            unmap_seat(uow, _seat_urn(seat))
        except PermanentError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
        uow.commit()
    console.print(f"{_seat_urn(seat)} disconnected")


@app.command("list")
def list_seats(tenant: str = TENANT) -> None:
    """Seats with their users, then seats with no user and users with no seat."""
    from store.uow import UnitOfWork
    from workers.seat_mapping import unmapped

    with UnitOfWork(tenant) as uow:
        seats = uow.seats.all()
        cursors = {c.seat: c for c in uow.poll_cursors.seats()}
        report = unmapped(uow)
        table = Table("seat", "contract", "state", "user", "connected by", "polling")
        for seat in seats:
            cursor = cursors.get(seat.urn)
            polling = "-" if cursor is None else ("back-filling" if cursor.catching_up else "current")
            table.add_row(
                seat.urn, seat.contract, seat.state, seat.user_id or "-", seat.mapped_by or "-", polling
            )
        console.print(table)
        console.print(
            f"seats with no user: {len(report.seats)}"
            + (f" ({', '.join(s.urn for s in report.seats)})" if report.seats else "")
        )
        console.print(
            f"users with no seat: {len(report.users)}"
            + (f" ({', '.join(u.id for u in report.users)})" if report.users else "")
        )
