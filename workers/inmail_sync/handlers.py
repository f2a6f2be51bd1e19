"""InMail sync: messages onto the candidate in thread order, contact details from mail stubs only.

A conversation event is stored once per id, under the LinkedIn member it is with; a candidate shows
the messages of its member. A mail stub exists only when the member chose to share their contact
details: it is the one source of the candidate's e-mail, phone and latest title and company, and
its creation time is recorded as the time of that consent. The stub finds its candidate by person
URN, or creates one, which claims the member (``store.member_claims``); then the merge rule
(``workers.shared.candidate_merge``) decides whether that candidate folds into an existing one with
the same last name and e-mail address.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from rsc.logs import get_logger
from rsc.metrics import MERGES
from schemas.linkedin import InMailReceived, MailStub, MailStubReceived
from store.base import to_ms, utcnow
from store.candidates import Candidate, CandidateOrigin, email_key
from store.linkedin_sync import Resource
from store.mail_stubs import MailStubRecord
from store.sync_ledger import RecordType
from store.uow import UnitOfWork
from workers.ledger import hooks as ledger
from workers.shared.candidate_merge import merge, merge_target, seal
from workers.shared.member_claims import claim_for_linkedin
from workers.shared.member_observations import stub_observation

log = get_logger(__name__)

CONSUMER = "inmail_sync"
#: Source recorded on candidates an InMail stub creates.
INMAIL_SOURCE = "LinkedIn Recruiter (InMail)"
_ID_NAMESPACE = uuid.UUID("b3f1f0a6-0d7e-4f5e-8f64-4f7d3c2b1a90")


@dataclass(frozen=True)
class StubResult:
    candidate_id: str
    created: bool
    merged_into: str | None


def handle_inmail(event: InMailReceived, uow: UnitOfWork) -> bool:
    """Store the message once. True when it was new."""
    with uow:
        if not uow.inbox.record(CONSUMER, event.source, event.id):
            return False
        if uow.tombstones.member_erased_since(event.data.member, event.data.created_ms):
            uow.commit()  # the member was erased with their candidate after this message was written
            return False
        new = uow.inmails.add(event.data)
        ledger.event_applied(
            uow, RecordType.INMAIL, event.data.event_id, event, new, about={"member_urn": event.data.member}
        )
        uow.commit()
    if new:
        log.info(
            "inmail stored",
            seat=event.data.viewer,
            freshness_s=round((utcnow() - event.time).total_seconds(), 3),
        )
    return new


def handle_mail_stub(event: MailStubReceived, uow: UnitOfWork) -> StubResult | None:
    """Apply the shared contact details to the member's candidate (made if there is none)."""
    stub = event.data
    with uow:
        if not uow.inbox.record(CONSUMER, event.source, event.id):
            return None
        if uow.tombstones.member_erased_since(stub.member, stub.created_ms):
            uow.commit()  # shared before the member was erased with their candidate: stays erased
            return None
        known = uow.mail_stubs.get(stub.stub_id)
        if known is not None and known.last_modified_ms >= stub.last_modified_ms:
            uow.commit()  # an older or the same version of a stub already applied
            return None
        # The member first, the claim after: the order exports and manual links take them in too.
        uow.members.observe(stub_observation(stub))
        candidate = uow.candidates.by_person_urn(stub.member)
        created = candidate is None
        if candidate is None:
            candidate = _new_candidate(uow, stub)
        claim_for_linkedin(uow, stub.member, candidate.id)
        target = merge_target(uow, candidate, stub.last_name, stub.email)
        merged_into = None
        if target is not None:
            record = merge(uow, candidate, target, cause=stub.stub_id)
            _apply_contact(uow, target, stub)
            seal(record, target)
            merged_into = target.id
            candidate = target
        else:
            _apply_contact(uow, candidate, stub)
        _remember(uow, stub, known, candidate.id)
        uow.commit()
    if merged_into:
        MERGES.labels(cause="mail_stub").inc()
    log.info(
        "mail stub applied",
        candidate_id=candidate.id,
        outcome="merged" if merged_into else ("created" if created else "updated"),
        freshness_s=round((utcnow() - event.time).total_seconds(), 3),
    )
    return StubResult(candidate.id, created, merged_into)


def _new_candidate(uow: UnitOfWork, stub: MailStub) -> Candidate:
    now = utcnow()
    return uow.candidates.add(
        Candidate(
            id=f"li-{uuid.uuid5(_ID_NAMESPACE, f'{uow.tenant}|{stub.member}').hex[:24]}",
            origin=CandidateOrigin.LINKEDIN_INMAIL.value,
            first_name=stub.first_name,
            last_name=stub.last_name,
            person_urn=stub.member,
            source=INMAIL_SOURCE,
            emails=[],
            phones=[],
            addresses=[],
            current_companies=[],
            created_at=now,
            modified_at=now,
            source_modified_ms=to_ms(now),
            source_revision=0,
        )
    )


def shared_emails(stub: MailStub) -> list[str]:
    return [str(e) for e in ([stub.email] if stub.email else []) + list(stub.other_emails)]


def shared_phones(stub: MailStub) -> list[str]:
    return ([stub.phone] if stub.phone else []) + list(stub.other_phones)


def _apply_contact(uow: UnitOfWork, candidate: Candidate, stub: MailStub) -> None:
    """Add the shared e-mails and phones, take the latest title and company, fill missing names."""
    emails = list(candidate.emails or [])
    for email in shared_emails(stub):
        if all(email_key(e) != email_key(email) for e in emails):
            emails.append(email)
    phones = [dict(p) for p in candidate.phones or []]
    for phone in shared_phones(stub):
        if all(p.get("number") != phone for p in phones):
            phones.append({"number": phone})
    candidate.emails = emails
    candidate.phones = phones
    if stub.title:
        candidate.current_title = stub.title
    if stub.company:
        candidate.current_company = stub.company
    candidate.first_name = candidate.first_name or stub.first_name
    candidate.last_name = candidate.last_name or stub.last_name
    candidate.modified_at = utcnow()
    uow.session.flush()
    uow.candidates.index_emails(candidate.id, emails)
    uow.outbox.mark_changed(Resource.CANDIDATE, candidate.id)
    uow.outbox.mark_changed(Resource.CANDIDATE_MEMBER, candidate.id)


def _remember(uow: UnitOfWork, stub: MailStub, known: MailStubRecord | None, candidate_id: str) -> None:
    record = known or MailStubRecord(id=stub.stub_id)
    record.member_urn = stub.member
    record.contract = stub.contract
    record.owners = list(stub.owners)
    record.first_name = stub.first_name
    record.last_name = stub.last_name
    record.email = str(stub.email) if stub.email else None
    record.phone = stub.phone
    record.other_emails = [str(e) for e in stub.other_emails]
    record.other_phones = list(stub.other_phones)
    record.company = stub.company
    record.title = stub.title
    record.consented_at = datetime.fromtimestamp(stub.created_ms / 1000, UTC)
    record.created_ms = stub.created_ms
    record.last_modified_ms = stub.last_modified_ms
    record.candidate_id = candidate_id
    record.stored_at = utcnow()
    if known is None:
        uow.mail_stubs.add(record)
    uow.session.flush()
