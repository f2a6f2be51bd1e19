"""Reply notifications: an ATS user replied to a synced prospect note.

One e-mail to each user who can see the note and has e-mail notifications for collaboration
switched on — never to the replier, never to someone who cannot see the note — exactly once per
reply and user, even when the event arrives twice. The recipients are written as intent rows before
anything is sent; each row is marked sent right after the SMTP server accepted its e-mail. A
redelivered event sends only the rows still pending.
"""

from __future__ import annotations

import uuid

from rsc.errors import PermanentError
from rsc.logs import get_logger
from rsc.mailer import Mail, Mailer, MailRefused
from rsc.metrics import NOTES
from rsc.settings import Settings
from schemas.ats import NoteReplied
from store.note_notifications import NotificationState
from store.prospect_notes import NoteAudience, ProspectNoteRecord
from store.uow import UnitOfWork

log = get_logger(__name__)

_MESSAGE_NAMESPACE = uuid.UUID("4a0d7a8e-6b0c-4a44-9d0b-55f1c3f2e7a1")


class NoteNotFound(PermanentError):
    reason_code = "note_not_found"


def message_id_for(tenant: str, reply_id: str, user_id: str) -> str:
    return f"<{uuid.uuid5(_MESSAGE_NAMESPACE, f'{tenant}|{reply_id}|{user_id}').hex}@rsc.note-replies>"


def handle_note_replied(
    event: NoteReplied, uow: UnitOfWork, mailer: Mailer, *, settings: Settings
) -> dict[str, int]:
    """Send what is still owed for this reply; returns how many e-mails ended in each state."""
    reply = event.data
    with uow:
        note = uow.prospect_notes.get(reply.note_id)
        if note is None:
            raise NoteNotFound(
                f"note {reply.note_id!r} is not a synced prospect note of tenant {event.tenant!r}; "
                f"replay this reply once the note has been synced"
            )
        audience = NoteAudience(uow.session, uow.tenant)
        for user in _recipients(audience, note, reply.author_user_id):
            uow.note_notifications.intend(
                reply.reply_id, user, note.id, message_id_for(uow.tenant, reply.reply_id, user)
            )
        uow.commit()
    outcome = _send_pending(event, uow, mailer, settings=settings)
    NOTES.labels(outcome="reply_notified").inc()
    log.info("note reply notified", note_id=note.id, **{"count": outcome.get("sent", 0)})
    return outcome


def _recipients(audience: NoteAudience, note: ProspectNoteRecord, replier: str) -> list[str]:
    return [
        user.id
        for user in audience.members(note)
        if user.id != replier and user.notify_collaboration_email and user.email
    ]


def _send_pending(
    event: NoteReplied, uow: UnitOfWork, mailer: Mailer, *, settings: Settings
) -> dict[str, int]:
    reply = event.data
    outcome: dict[str, int] = {}
    with uow:
        rows = uow.note_notifications.of_reply(reply.reply_id)
        note = uow.prospect_notes.get(reply.note_id)
        audience = NoteAudience(uow.session, uow.tenant)
        allowed = set(_recipients(audience, note, reply.author_user_id)) if note is not None else set()
        candidate = uow.candidates.by_person_urn(note.member_urn) if note and note.member_urn else None
        replier = audience.users.get(reply.author_user_id)
        mails = {}
        for row in rows:
            if row.state != NotificationState.PENDING.value:
                outcome[row.state] = outcome.get(row.state, 0) + 1
                continue
            if row.user_id not in allowed:
                # Lost sight of the note (or switched notifications off) since the intent was written.
                uow.note_notifications.settle(reply.reply_id, row.user_id, NotificationState.SKIPPED)
                outcome["skipped"] = outcome.get("skipped", 0) + 1
                continue
            user = audience.users[row.user_id]
            mails[row.user_id] = Mail(
                to=str(user.email),
                subject=_subject(candidate_name(candidate)),
                body=_body(
                    replier_name=_name(replier.first_name, replier.last_name) if replier else "A colleague",
                    candidate=candidate_name(candidate),
                    candidate_id=candidate.id if candidate else None,
                    text=reply.text,
                    settings=settings,
                ),
                message_id=row.message_id,
            )
        uow.commit()
    if not mails:
        return outcome
    with mailer.connection() as smtp:
        for user_id, mail in mails.items():
            try:
                smtp.send(mail)
            except MailRefused as exc:
                with uow:
                    uow.note_notifications.settle(
                        reply.reply_id, user_id, NotificationState.REFUSED, error=str(exc)
                    )
                    uow.commit()
                outcome["refused"] = outcome.get("refused", 0) + 1
                log.warning("note reply e-mail refused", user_id=user_id, status_code=exc.code)
                continue
            # If the process dies right here — the server accepted the e-mail, the row is not yet
            # marked — the redelivered event sends it again, with the same Message-ID, so mail
            # clients that de-duplicate on it show one. The window is one commit long; marking the
            # row sent *before* handing the e-mail over would instead risk never sending it.
            with uow:
                uow.note_notifications.settle(reply.reply_id, user_id, NotificationState.SENT)
                uow.commit()
            outcome["sent"] = outcome.get("sent", 0) + 1
    return outcome


def candidate_name(candidate: object) -> str:
    first = getattr(candidate, "first_name", None)
    last = getattr(candidate, "last_name", None)
    return _name(first, last) or "a candidate"


def _name(first: str | None, last: str | None) -> str:
    return " ".join(part for part in (first, last) if part)


def _subject(candidate: str) -> str:
    return f"New reply on a note about {candidate}"


def _body(
    *, replier_name: str, candidate: str, candidate_id: str | None, text: str, settings: Settings
) -> str:
    template = settings.ats_candidate_url_template
    link = template.format(candidate_id=candidate_id) if template and candidate_id else ""
    lines = [f"{replier_name} replied to a LinkedIn prospect note about {candidate}:", "", text]
    if link:
        lines += ["", link]
    lines += ["", "You get this e-mail because e-mail notifications for collaboration are on."]
    return "\n".join(lines)
