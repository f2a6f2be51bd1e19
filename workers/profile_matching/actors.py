"""The profile matching actors."""

from __future__ import annotations

from events import routes
from schemas.ats import CandidateCreated, CandidateUpdated
from schemas.commands import MembersChanged
from store.uow import UnitOfWork
from workers.profile_matching.matching import handle_candidate_changed, handle_members_changed
from workers.runtime.declare import command_actor, event_actor
from workers.runtime.wiring import runtime


@event_actor(routes.PROFILE_MATCH)
def match_candidate(event: CandidateCreated | CandidateUpdated) -> None:
    """A candidate was created or changed in the ATS: match it to its LinkedIn member."""
    handle_candidate_changed(event, uow=UnitOfWork(event.tenant, runtime().store))


@command_actor(routes.MATCH_MEMBERS)
def match_members(command: MembersChanged) -> None:
    """LinkedIn members' data changed: re-match the candidates it concerns (asked by the scheduler)."""
    handle_members_changed(command, uow=UnitOfWork(command.tenant, runtime().store))
