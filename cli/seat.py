"""``rsc seat``: Recruiter contracts, seats and the ATS users connected to them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from cli import output
from rsc.settings import get_settings
from store.db import get_store

if TYPE_CHECKING:
    from store.contracts import ContractState

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
    with UnitOfWork(tenant, get_store()) as uow:
        added = uow.contracts.add(contract)
        uow.commit()
        read = uow.contracts.is_read(contract)
    console.print(f"contract {contract} {'added' if added else 'was already there'} for tenant {tenant}")
    if not read:
        console.print(
            f"it is read once LinkedIn reports its CSA_API integration enabled: `rsc tenant onboard "
            f"{tenant}` names it in LinkedIn, the customer enables it in Recruiter"
        )


@app.command("contract-remove")
def contract_remove(
    contract: str = typer.Argument(..., help="Recruiter contract URN, urn:li:contract:<id>."),
    tenant: str = TENANT,
) -> None:
    """Stop reading this contract: its seats are no longer refreshed or polled (data already synced,
    and the seats' users, stay)."""
    from store.uow import UnitOfWork
    from workers.prospect_polling.seat_mapping import remove_contract

    if not _CONTRACT.match(contract):
        raise typer.BadParameter("a contract is urn:li:contract:<number>")
    with UnitOfWork(tenant, get_store()) as uow:
        removed = remove_contract(uow, contract, settings=get_settings())
        uow.commit()
    if not removed:
        console.print(f"[red]{contract} is not a contract of tenant {tenant}[/red] (`rsc seat list`)")
        raise typer.Exit(1)
    console.print(f"contract {contract} removed from tenant {tenant}; its seats are no longer polled")


@app.command("refresh")
def refresh(tenant: str = TENANT) -> None:
    """Read the seats from LinkedIn (seatsV2) now and connect them to users."""
    from store.uow import UnitOfWork
    from workers.prospect_polling.seat_mapping import refresh_seats
    from workers.runtime.wiring import linkedin_for

    report = refresh_seats(UnitOfWork(tenant, get_store()), linkedin_for(tenant), settings=get_settings())
    console.print(f"seats refreshed: {report.seats} read; newly connected: {len(report.connected)}")
    for contract, error in sorted(report.failed.items()):
        console.print(f"[red]{contract}: seats could not be read ({error})[/red]; it is retried on its own")
    if report.failed:
        raise typer.Exit(1)


@app.command("map")
def map_seat(
    user: str = typer.Argument(..., help="ATS user id."),
    seat: str = typer.Argument(..., help="Seat URN (urn:li:seat:N) or number."),
    tenant: str = TENANT,
) -> None:
    """Connect an ATS user to a Recruiter seat by hand (the seat's history is back-filled)."""
    from rsc.errors import PermanentError
    from store.uow import UnitOfWork
    from workers.prospect_polling.seat_mapping import map_seat as connect

    with UnitOfWork(tenant, get_store()) as uow:
        try:
            released = connect(uow, user, _seat_urn(seat), settings=get_settings())
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
    from rsc.errors import PermanentError
    from store.uow import UnitOfWork
    from workers.prospect_polling.seat_mapping import unmap_seat

    with UnitOfWork(tenant, get_store()) as uow:
        try:
            unmap_seat(uow, _seat_urn(seat), settings=get_settings())
        except PermanentError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
        uow.commit()
    console.print(f"{_seat_urn(seat)} disconnected")


@app.command("list")
def list_seats(
    tenant: str = TENANT,
    as_json: bool = typer.Option(
        False, "--json", help="One JSON object: contracts, seats, users with no seat."
    ),
) -> None:
    """Seats with their users, then seats with no user and users with no seat."""
    from dataclasses import asdict

    from store.uow import UnitOfWork
    from workers.prospect_polling.seat_mapping import unmapped

    with UnitOfWork(tenant, get_store()) as uow:
        contracts = {c.urn: c for c in uow.contracts.states()}
        cursors = {c.seat: c for c in uow.poll_cursors.seats()}
        seats = []
        for seat in uow.seats.all():
            cursor = cursors.get(seat.urn)
            contract = contracts.get(seat.contract)
            if contract is None:
                polling = "no (contract removed)"
            elif not contract.read:
                polling = "no (contract not read)"
            else:
                polling = "-" if cursor is None else ("back-filling" if cursor.catching_up else "current")
            seats.append(
                {
                    "seat": seat.urn,
                    "contract": seat.contract,
                    "state": seat.state,
                    "user": seat.user_id,
                    "connected_by": seat.mapped_by,
                    "polling": polling,
                }
            )
        report = unmapped(uow)
        loose_seats, loose_users = [s.urn for s in report.seats], [u.id for u in report.users]
        parked = uow.parked_items.count_waiting()
    if as_json:
        output.json_line(
            {
                "contracts": [asdict(c) for c in contracts.values()],
                "seats": seats,
                "seats_with_no_user": loose_seats,
                "users_with_no_seat": loose_users,
                "parked_items": parked,
            }
        )
        return
    print_contracts(list(contracts.values()))
    output.table(
        None,
        ("seat", "contract", "state", "user", "connected by", "polling"),
        [
            (s["seat"], s["contract"], s["state"], s["user"] or "-", s["connected_by"] or "-", s["polling"])
            for s in seats
        ],
    )
    output.say(
        f"seats with no user: {len(loose_seats)}" + (f" ({', '.join(loose_seats)})" if loose_seats else "")
    )
    output.say(
        f"users with no seat: {len(loose_users)}" + (f" ({', '.join(loose_users)})" if loose_users else "")
    )
    if parked:
        output.say(f"parked items (could not be read): {parked} (`rsc parked list --tenant {tenant}`)")


def print_contracts(states: list[ContractState]) -> None:
    """Each contract: whether it is read and why, its last seat read, and its failure if it failed."""
    rows = []
    for state in states:
        failure = "-"
        if state.seats_error:
            when = state.seats_failed_at.isoformat(timespec="seconds") if state.seats_failed_at else "?"
            error = f"[red]{state.seats_error}[/red]" if output.is_terminal() else state.seats_error
            failure = f"{error} at {when} ({state.seats_failures} in a row)"
        rows.append(
            (
                state.urn,
                state.csa_status or "not known",
                "yes" if state.read else f"no: {state.why}",
                state.seats_read_at.isoformat(timespec="seconds") if state.seats_read_at else "never",
                failure,
                state.seats_retry_at.isoformat(timespec="seconds") if state.seats_retry_at else "-",
            )
        )
    output.table(None, ("contract", "CSA_API", "read", "seats read", "last failure", "next try"), rows)
