"""Reply notifications over a real local SMTP server (aiosmtpd), on both stores: exactly the users the
rule names, once each, even when the event arrives twice or the server fails half-way."""

from __future__ import annotations

import pytest

from rsc.mailer import Mailer
from rsc.settings import get_settings
from schemas.linkedin import NoteVisibility
from store.db import Store
from store.note_notifications import NotificationState
from store.uow import UnitOfWork
from tests.fakes import Inbox
from tests.workers.support import TENANT, note, reply, seat, stub, user
from workers.inmail_sync.handlers import handle_mail_stub
from workers.note_sync.handlers import handle_prospect_note
from workers.note_sync.note_replies import NoteNotFound, handle_note_replied

ADA = "urn:li:person:ada"


def uow(store: Store) -> UnitOfWork:
    return UnitOfWork(TENANT, store)


@pytest.fixture
def notes(store: Store) -> None:
    """rita wrote an organization note and a private one. sam, una and tom have seats (tom turned
    collaboration e-mails off); nora has no seat."""
    user(store, "rita")
    user(store, "sam")
    user(store, "una")
    user(store, "tom", notify=False)
    user(store, "nora")
    for number, name in ((501, "rita"), (502, "sam"), (503, "una"), (504, "tom")):
        seat(store, number, name)
    assert handle_mail_stub(stub("M1", ADA), uow(store)) is not None
    handle_prospect_note(note("P-org", ADA, owner="urn:li:seat:501"), uow(store))
    handle_prospect_note(
        note("P-private", ADA, owner="urn:li:seat:501", visibility=NoteVisibility.PRIVATE), uow(store)
    )


@pytest.mark.usefixtures("notes")
def test_a_reply_emails_every_user_who_sees_the_note_once_even_when_delivered_twice(
    store: Store, smtp: Inbox
) -> None:
    event = reply("P-org", "R1", author="sam", text="Agreed, I will call her")
    first = handle_note_replied(event, uow(store), Mailer(get_settings()), settings=get_settings())
    second = handle_note_replied(event, uow(store), Mailer(get_settings()), settings=get_settings())

    # Not sam (the replier), not tom (notifications off), not nora (no seat, cannot see the note).
    assert smtp.recipients() == ["rita@acme.example", "una@acme.example"]
    assert first == {"sent": 2} and second == {"sent": 2}
    mail = smtp.messages[0]
    assert mail["Subject"] == "New reply on a note about Ada Lovelace"
    assert "Agreed, I will call her" in mail.get_payload()
    assert len({m["Message-ID"] for m in smtp.messages}) == 2


@pytest.mark.usefixtures("notes")
def test_a_reply_to_a_private_note_reaches_no_one_who_cannot_see_it(store: Store, smtp: Inbox) -> None:
    assert (
        handle_note_replied(
            reply("P-private", "R2", author="rita"),
            uow(store),
            Mailer(get_settings()),
            settings=get_settings(),
        )
        == {}
    )
    assert smtp.messages == []
    # Even a reply by someone else goes only to the author, the one user who can see it.
    handle_note_replied(
        reply("P-private", "R3", author="sam"), uow(store), Mailer(get_settings()), settings=get_settings()
    )
    assert smtp.recipients() == ["rita@acme.example"]


@pytest.mark.usefixtures("notes")
def test_a_failure_half_way_resends_only_what_was_not_accepted(store: Store, smtp: Inbox) -> None:
    smtp.busy.add("una@acme.example")
    event = reply("P-org", "R4", author="sam")
    with pytest.raises(ConnectionError):
        handle_note_replied(event, uow(store), Mailer(get_settings()), settings=get_settings())
    assert smtp.recipients() == ["rita@acme.example"]
    with uow(store) as w:
        states = {n.user_id: n.state for n in w.note_notifications.of_reply("R4")}
    assert states == {"rita": NotificationState.SENT.value, "una": NotificationState.PENDING.value}

    handle_note_replied(
        event, uow(store), Mailer(get_settings()), settings=get_settings()
    )  # the broker's retry
    assert smtp.recipients() == ["rita@acme.example", "una@acme.example"]


def test_a_reply_to_an_unknown_note_is_a_permanent_error_naming_it(store: Store, smtp: Inbox) -> None:
    with pytest.raises(NoteNotFound, match="'P-none' is not a synced prospect note"):
        handle_note_replied(
            reply("P-none", "R5", author="sam"), uow(store), Mailer(get_settings()), settings=get_settings()
        )
