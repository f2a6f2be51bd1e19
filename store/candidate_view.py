"""The read side the ATS UI uses: a candidate, and the activity feed, as one ATS user may see them.

Prospect notes pass through ``NoteAudience`` here and nowhere else, so the CLI (``rsc candidate
show``, ``rsc candidate feed``) and the HTTP endpoints apply the same visibility rule.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from store.candidates import Candidate, email_key
from store.mail_stubs import MailStubRecord
from store.prospect_notes import NoteAudience, ProspectNoteRecord
from store.uow import UnitOfWork


class ViewError(LookupError):
    """What was asked for does not exist; the message names it and what to do."""


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def _viewer(uow: UnitOfWork, as_user: str | None) -> str | None:
    if as_user is None:
        return None
    user = uow.users.get(as_user)
    if user is None or not user.is_present:
        raise ViewError(f"user {as_user!r} is not an active ATS user of tenant {uow.tenant!r}")
    return as_user


def _note(note: ProspectNoteRecord, audience: NoteAudience) -> dict[str, Any]:
    return {
        "id": note.id,
        "text": note.text,
        "visibility": note.visibility,
        "visibility_sent": note.visibility_sent,
        "author_user_id": audience.author_of(note),
        "seat": note.owner_seat,
        "member": note.member_urn,
        "created": _iso(note.created_ms),
        "last_modified": _iso(note.last_modified_ms),
    }


#: Where a member's consent to share contact details comes from: answering a recruiter's InMail.
CONSENT_SOURCE = "linkedin_inmail_reply"


def _consent(stub: MailStubRecord) -> dict[str, Any]:
    """When and how the member agreed to share these details (an InMail stub, reference §3.8)."""
    return {
        "given_at": stub.consented_at.isoformat(),
        "source": CONSENT_SOURCE,
        "stub_id": stub.id,
        "contract": stub.contract,
        "seats": list(stub.owners or []),
        "email": stub.email,
        "phone": stub.phone,
        # Every address and number the stub shared, when it listed several.
        "emails": stub.emails,
        "phones": stub.phones,
    }


def _contact_details(candidate: Candidate, consents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each e-mail and phone with the consent it was shared under (None: it came from the ATS)."""
    details: list[dict[str, Any]] = []
    for kind, values in (
        ("email", list(candidate.emails or [])),
        ("phone", [p.get("number") for p in candidate.phones or []]),
    ):
        for value in values:
            given = [c for c in consents if any(_same(kind, shared, value) for shared in c[f"{kind}s"])]
            consent = given[-1] if given else None
            details.append(
                {
                    "kind": kind,
                    "value": value,
                    "consent": None
                    if consent is None
                    else {k: consent[k] for k in ("given_at", "source", "stub_id", "seats")},
                }
            )
    return details


def _same(kind: str, a: str, b: str | None) -> bool:
    if b is None:
        return False
    return email_key(a) == email_key(b) if kind == "email" else a == b


def candidate_view(uow: UnitOfWork, candidate_id: str, as_user: str | None) -> dict[str, Any]:
    """The candidate with applications, InMails and contact consent; notes only for ``as_user``."""
    with uow:
        viewer = _viewer(uow, as_user)
        candidate = uow.candidates.get(candidate_id)
        if candidate is None:
            raise ViewError(f"candidate {candidate_id!r} is not in tenant {uow.tenant!r}")
        merged_into = uow.merges.active_from(candidate.id)
        urn = candidate.person_urn
        view: dict[str, Any] = {
            "id": candidate.id,
            "origin": candidate.origin,
            "first_name": candidate.first_name,
            "last_name": candidate.last_name,
            "emails": list(candidate.emails or []),
            "phones": [p.get("number") for p in candidate.phones or []],
            "current_title": candidate.current_title,
            "current_company": candidate.current_company,
            "person_urn": urn,
            "merged_into": merged_into.target_candidate_id if merged_into else None,
            "merged_from": [m.source_candidate_id for m in uow.merges.active_into(candidate.id)],
            "applications": [
                {"id": a.id, "job_id": a.job_id, "status": a.status}
                for a in uow.applications.for_candidate(candidate.id)
            ],
            "contact_shared_at": None,
            "messages": [],
        }
        view["contact_consents"] = []
        if urn:
            stub = uow.mail_stubs.latest_of_member(urn)
            view["contact_shared_at"] = stub.consented_at.isoformat() if stub else None
            view["contact_consents"] = [_consent(s) for s in uow.mail_stubs.of_member(urn)]
            view["messages"] = [
                {
                    "id": m.id,
                    "thread": m.thread,
                    "author": m.author,
                    "created": _iso(m.created_ms),
                    "subject": m.subject,
                    "body": m.body,
                }
                for m in uow.inmails.of_member(urn)
            ]
        view["contact_details"] = _contact_details(candidate, view["contact_consents"])
        if viewer is None:
            view["notes"] = None
            view["notes_hidden"] = "notes are shown only to a named user (--as USER, or ?as=USER)"
        else:
            audience = NoteAudience(uow.session, uow.tenant)
            notes = uow.prospect_notes.of_member(urn) if urn else []
            view["notes"] = [_note(n, audience) for n in notes if audience.can_see(n, viewer)]
        return view


def activity_feed(uow: UnitOfWork, as_user: str, limit: int = 50) -> list[dict[str, Any]]:
    """ "Anyone in my organization" notes, newest first, for a user with a connected seat."""
    with uow:
        viewer = _viewer(uow, as_user)
        assert viewer is not None
        audience = NoteAudience(uow.session, uow.tenant)
        if viewer not in audience.seated:
            return []
        feed = []
        for note in uow.prospect_notes.recent_organization_notes(limit):
            if not audience.can_see(note, viewer):
                continue
            candidate = uow.candidates.by_person_urn(note.member_urn) if note.member_urn else None
            feed.append({**_note(note, audience), "candidate_id": candidate.id if candidate else None})
        return feed
