"""The prospect polling actors: ATS users mapped to seats, seats refreshed, InMails and notes polled."""

from __future__ import annotations

from events import routes
from schemas.commands import ContractPoll, SeatPoll, SeatRefresh
from store.uow import UnitOfWork
from workers.prospect_polling.polls import poll_contract, poll_seat
from workers.prospect_polling.seat_mapping import UserEvent, handle_user_event, refresh_seats
from workers.runtime.declare import command_actor, event_actor
from workers.runtime.wiring import linkedin_for, runtime


@event_actor(routes.ATS_USER)
def apply_user_event(event: UserEvent) -> None:
    """An ATS user was created, changed or deleted: store it and reconnect Recruiter seats."""
    handle_user_event(event, uow=UnitOfWork(event.tenant, runtime().store), settings=runtime().settings)


@command_actor(routes.POLL_SEAT)
def poll_seat_actor(command: SeatPoll) -> None:
    """Poll one connected seat's InMails (and its back-fill), requested by the scheduler."""
    poll_seat(
        command,
        UnitOfWork(command.tenant, runtime().store),
        linkedin_for(command.tenant),
        runtime().publisher,
        settings=runtime().settings,
    )


@command_actor(routes.POLL_CONTRACT)
def poll_contract_actor(command: ContractPoll) -> None:
    """Poll the stubs and notes of a contract's connected seats, requested by the scheduler."""
    poll_contract(
        command,
        UnitOfWork(command.tenant, runtime().store),
        linkedin_for(command.tenant),
        runtime().publisher,
        settings=runtime().settings,
    )


@command_actor(routes.REFRESH_SEATS)
def refresh_seats_actor(command: SeatRefresh) -> None:
    """Read the tenant's Recruiter seats and connect them to ATS users."""
    refresh_seats(
        UnitOfWork(command.tenant, runtime().store),
        linkedin_for(command.tenant),
        command.contracts,
        settings=runtime().settings,
    )
