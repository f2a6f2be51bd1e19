"""A person links a candidate to a LinkedIn member, or unlinks it: a decision that sticks.

The decision is recorded with who made it and when, appended to the candidate's match history,
and marked in the LinkedIn outbox: LinkedIn learns it as ``manualMatchedMember`` (``$set`` on a link,
``$delete`` on an unlink), now if it can be pushed right away, else from the outbox sweep. The
candidate's ``person_urn`` follows the decision, so every later whole-record PUT carries it too.
The automatic matcher never changes either (``workers.profile_matching.matching``).

A person's link claims the member over anything but another person's link
(``store.member_claims``): a candidate the matcher linked to it loses it (and goes to the review
list), and a candidate made from a LinkedIn export or stub of it is merged into the linked one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linkedin.client import LinkedInClient
from linkedin.errors import LinkedInRejected, LinkedInUnavailable
from rsc.errors import PermanentError, retried_while_transient
from rsc.logs import get_logger
from rsc.settings import Settings
from store.base import utcnow
from store.candidate_matches import CandidateMatch, Decision, HistoryAction
from store.candidates import Candidate
from store.linkedin_sync import Resource
from store.member_claims import ClaimKind, ClaimOutcome, ProposalState
from store.members import MemberObservation, MemberSource
from store.uow import UnitOfWork
from workers.shared.candidate_merge import LINKEDIN_ORIGINS, merge, seal
from workers.shared.linkedin_push import PushReport, push_pending

log = get_logger(__name__)

PERSON_URN = re.compile(r"^urn:li:person:[A-Za-z0-9_-]+$")
#: Runs of a hand link or unlink that ran into a concurrent writer (a deadlock with a match or an
#: export of the same candidate or member, a unique-key race): its transaction is rolled back whole,
#: so it runs again from the start.
DECISION_ATTEMPTS = 3


class CandidateNotFound(PermanentError):
    reason_code = "candidate_not_found"


class InvalidPersonUrn(PermanentError):
    reason_code = "invalid_person_urn"


class MemberAlreadyLinked(PermanentError):
    reason_code = "member_already_linked"


class MissingDecider(PermanentError):
    reason_code = "missing_decider"


@dataclass(frozen=True)
class LinkChange:
    candidate_id: str
    #: LINK or UNLINK; None when the candidate already stood so (nothing recorded, nothing pushed).
    action: HistoryAction | None
    person_urn: str | None
    previous_urn: str | None

    @property
    def changed(self) -> bool:
        return self.action is not None


def link_manually(uow: UnitOfWork, candidate_id: str, person_urn: str, decided_by: str) -> LinkChange:
    """Link ``candidate_id`` to the member ``person_urn`` for good (until a person says otherwise);
    run again when it ran into a concurrent writer (``DECISION_ATTEMPTS``)."""
    if not PERSON_URN.match(person_urn):
        raise InvalidPersonUrn(
            "the member must be a person URN such as urn:li:person:AbC123 (the profile widget's link "
            "callback gives it)"
        )
    decided_by = _decider(decided_by)
    return retried_while_transient(
        lambda: _link(uow, candidate_id, person_urn, decided_by),
        attempts=DECISION_ATTEMPTS,
        what="hand link",
        candidate_id=candidate_id,
    )


def _link(uow: UnitOfWork, candidate_id: str, person_urn: str, decided_by: str) -> LinkChange:
    with uow:
        now = utcnow()
        # The member's row first: exports and stubs of the member take it before its claim too.
        uow.members.observe(MemberObservation(person_urn, MemberSource.MANUAL_LINK, now))
        candidate, row = _locked(uow, candidate_id)
        if row.decision == Decision.LINKED and candidate.person_urn == person_urn:
            uow.commit()
            return LinkChange(candidate_id, None, person_urn, person_urn)
        claim = uow.member_claims.claim(person_urn, candidate_id, ClaimKind.MANUAL)
        if claim.outcome is ClaimOutcome.REFUSED:
            raise MemberAlreadyLinked(
                f"member {person_urn} is already linked to candidate {claim.holder!r}; unlink that "
                f"candidate first (rsc match unlink --tenant {uow.tenant} {claim.holder})"
            )
        previous = _shown_member(candidate, row)
        if claim.displaced is not None and claim.displaced_kind is ClaimKind.LINKEDIN:
            _take_from(uow, claim.displaced, candidate, person_urn, decided_by)
        candidate.person_urn = person_urn
        row.decision, row.decided_member = Decision.LINKED.value, person_urn
        row.decided_by, row.decided_at = decided_by, now
        uow.candidate_matches.record(
            candidate_id, HistoryAction.LINK, person_urn=person_urn, previous_urn=previous, actor=decided_by
        )
        uow.outbox.mark_changed(Resource.CANDIDATE_MEMBER, candidate_id)
        uow.member_claims.decide(None, [candidate_id], ProposalState.DECIDED, decided_by)
        uow.commit()
    log.info("candidate linked by hand", candidate_id=candidate_id)
    return LinkChange(candidate_id, HistoryAction.LINK, person_urn, previous)


def unlink_manually(uow: UnitOfWork, candidate_id: str, decided_by: str) -> LinkChange:
    """Unlink ``candidate_id`` from whatever member it shows; the matcher will not link it again.
    Run again when it ran into a concurrent writer (``DECISION_ATTEMPTS``)."""
    decided_by = _decider(decided_by)
    return retried_while_transient(
        lambda: _unlink(uow, candidate_id, decided_by),
        attempts=DECISION_ATTEMPTS,
        what="hand unlink",
        candidate_id=candidate_id,
    )


def _unlink(uow: UnitOfWork, candidate_id: str, decided_by: str) -> LinkChange:
    with uow:
        candidate, row = _locked(uow, candidate_id)
        if row.decision == Decision.UNLINKED and candidate.person_urn is None:
            uow.commit()
            return LinkChange(candidate_id, None, None, None)
        previous = _shown_member(candidate, row)
        if previous is not None:
            uow.member_claims.release(previous, candidate_id)
        uow.member_claims.decide(None, [candidate_id], ProposalState.DECIDED, decided_by)
        candidate.person_urn = None
        row.decision, row.decided_member = Decision.UNLINKED.value, None
        row.decided_by, row.decided_at = decided_by, utcnow()
        uow.candidate_matches.record(
            candidate_id, HistoryAction.UNLINK, person_urn=None, previous_urn=previous, actor=decided_by
        )
        uow.outbox.mark_changed(Resource.CANDIDATE_MEMBER, candidate_id)
        uow.commit()
    log.info("candidate unlinked by hand", candidate_id=candidate_id)
    return LinkChange(candidate_id, HistoryAction.UNLINK, None, previous)


def push_link(
    uow: UnitOfWork, linkedin: LinkedInClient, candidate_id: str, *, settings: Settings
) -> PushReport | None:
    """Tell LinkedIn now (best effort); what cannot be pushed stays for the outbox sweep.

    None when LinkedIn could not be reached or refused the call as a whole; the outbox holds the
    record and its error either way.
    """
    try:
        return push_pending(uow, linkedin, Resource.CANDIDATE_MEMBER, ids=[candidate_id], settings=settings)
    except (LinkedInUnavailable, LinkedInRejected) as exc:
        log.warning(
            "left to the outbox sweep",
            resource=Resource.CANDIDATE_MEMBER.value,
            candidate_id=candidate_id,
            error_class=type(exc).__name__,
        )
        return None


def _take_from(
    uow: UnitOfWork, holder_id: str, candidate: Candidate, person_urn: str, decided_by: str
) -> None:
    """The member a person linked ``candidate`` to was LinkedIn's for another candidate: a candidate
    the pipeline made from LinkedIn data is merged into ``candidate`` (recorded, undoable with
    ``rsc candidate unmerge``); any other loses the member, recorded in its history."""
    holder = uow.candidates.get(holder_id)
    if holder is None or holder.person_urn != person_urn:
        return
    if holder.origin in LINKEDIN_ORIGINS and uow.merges.active_from(holder.id) is None:
        record = merge(uow, holder, candidate, cause=f"link:{person_urn}", claim=ClaimKind.MANUAL)
        seal(record, candidate)
        return
    holder.person_urn = None
    uow.candidate_matches.get_or_add(holder.id)
    uow.candidate_matches.record(
        holder.id, HistoryAction.UNLINK, person_urn=None, previous_urn=person_urn, actor=decided_by
    )
    uow.outbox.mark_changed(Resource.CANDIDATE_MEMBER, holder.id)
    uow.session.flush()  # the person URN is unique per tenant: released before the candidate takes it


def _decider(decided_by: str) -> str:
    decided_by = decided_by.strip()
    if not decided_by:
        raise MissingDecider("say who decides (an ATS user id or an operator name): it is recorded")
    return decided_by[:200]


def _locked(uow: UnitOfWork, candidate_id: str) -> tuple[Candidate, CandidateMatch]:
    candidate = uow.candidates.get(candidate_id)
    if candidate is None:
        raise CandidateNotFound(
            f"no candidate {candidate_id!r} in tenant {uow.tenant!r}; check the id (the ATS's candidate "
            f"id, as in ats.candidate events)"
        )
    return candidate, uow.candidate_matches.get_or_add(candidate_id)


def _shown_member(candidate: Candidate, row: CandidateMatch) -> str | None:
    """The member the candidate showed before this decision."""
    if candidate.person_urn is not None:
        return candidate.person_urn
    if row.decision is None and row.status == "linked":
        return row.member_urn
    return None
