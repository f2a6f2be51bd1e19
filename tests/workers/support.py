"""Builders of the worker tests around Recruiter seats: users, seats, candidates and polled items."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from rsc.settings import get_settings
from schemas.ats import (
    CandidateSnapshot,
    NoteReplied,
    NoteReply,
    UserCreated,
    UserSnapshot,
)
from schemas.linkedin import NoteVisibility
from store.db import Store
from store.seats import MappedBy
from store.uow import UnitOfWork
from workers.prospect_polling.items import Asked, ItemKind
from workers.prospect_polling.pages import inmail_event, note_event, stub_event

TENANT = "acme"
CONTRACT = "urn:li:contract:10"
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
T0_MS = int(T0.timestamp() * 1000)


def user(
    store: Store,
    user_id: str,
    *,
    email: str | None = None,
    person_urn: str | None = None,
    notify: bool = True,
    second: int = 0,
) -> None:
    from workers.prospect_polling.seat_mapping import handle_user_event

    when = T0.replace(second=second)
    event = UserCreated(
        type="ats.user.created.v1",
        id=f"user-{user_id}-{second}",
        source="ats://test",
        tenant=TENANT,
        data=UserSnapshot(
            user_id=user_id,
            first_name=user_id.capitalize(),
            last_name="Recruiter",
            email=email or f"{user_id}@acme.example",
            person_urn=person_urn,
            notify_collaboration_email=notify,
            created_at=T0,
            modified_at=when,
        ),
    )
    handle_user_event(event, UnitOfWork(TENANT, store), settings=get_settings())


def seat(store: Store, number: int, user_id: str | None = None, *, contract: str = CONTRACT) -> str:
    """A seat as a seat refresh would store it; connected to ``user_id`` by hand when given."""
    urn = f"urn:li:seat:{number}"
    with UnitOfWork(TENANT, store) as uow:
        uow.contracts.add(contract)
        stored = uow.seats.remember(
            urn=urn,
            contract=contract,
            member=None,
            first_name=None,
            last_name=None,
            email=None,
            state="ACTIVE",
        )
        if user_id is not None:
            uow.seats.connect(stored, user_id, MappedBy.MANUAL)
        uow.commit()
    return urn


def ats_candidate(store: Store, candidate_id: str, last_name: str, email: str, **extra: Any) -> None:
    with UnitOfWork(TENANT, store) as uow:
        uow.candidates.apply(
            CandidateSnapshot(
                candidate_id=candidate_id,
                first_name=extra.pop("first_name", "Ada"),
                last_name=last_name,
                emails=[email],
                created_at=T0,
                modified_at=T0,
                **extra,
            )
        )
        uow.commit()


def inmail(
    i: str, member: str, *, viewer: str = "urn:li:seat:501", thread: str = "t1", at: int = 0, **extra: Any
) -> Any:
    return inmail_event(
        TENANT,
        {
            "id": i,
            "thread": f"urn:li:messagingThread:{thread}",
            "viewer": viewer,
            "author": extra.get("author", viewer),
            "member": member,
            "created": T0_MS + at,
            "subject": extra.get("subject", "Hello"),
            "body": extra.get("body", f"message {i}"),
        },
        Asked(ItemKind.CONVERSATION_EVENT, CONTRACT, (viewer,)),
    )


def stub(
    i: str,
    member: str,
    *,
    last_name: str = "Lovelace",
    email: str | None = "ada@example.com",
    phone: str | None = "+44 20 0000 0000",
    at: int = 0,
    owners: Iterable[str] = ("urn:li:seat:501",),
) -> Any:
    owners = tuple(owners)
    return stub_event(
        TENANT,
        {
            "id": i,
            "contract": CONTRACT,
            "owners": list(owners),
            "member": member,
            "firstName": "Ada",
            "lastName": last_name,
            "emailAddress": email,
            "phoneNumber": phone,
            "currentCompanyName": "Analytical Engines",
            "currentJobTitle": "Chief Analyst",
            "created": T0_MS + at,
            "lastModified": T0_MS + at,
        },
        Asked(ItemKind.MAIL_STUB, CONTRACT, tuple(owners)),
    )


def note(
    i: str,
    member: str,
    *,
    owner: str = "urn:li:seat:501",
    visibility: NoteVisibility = NoteVisibility.ORGANIZATION,
    active: bool = True,
    modified: int = 0,
    text: str = "Call her back in May",
) -> Any:
    return note_event(
        TENANT,
        {
            "id": i,
            "contract": CONTRACT,
            "owner": owner,
            "member": member,
            "note": text,
            "visibility": visibility.value,
            "active": active,
            "created": T0_MS,
            "lastModified": T0_MS + modified,
        },
        Asked(ItemKind.PROSPECT_NOTE, CONTRACT, (owner,)),
    )


def reply(note_id: str, reply_id: str, author: str, text: str = "Agreed, I will call") -> NoteReplied:
    return NoteReplied(
        type="ats.note.replied.v1",
        id=f"reply-{reply_id}",
        source="ats://test",
        tenant=TENANT,
        data=NoteReply(note_id=note_id, reply_id=reply_id, author_user_id=author, text=text, replied_at=T0),
    )
