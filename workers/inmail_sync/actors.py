"""The InMail sync actors."""

from __future__ import annotations

from events import routes
from schemas.linkedin import InMailReceived, MailStubReceived
from store.uow import UnitOfWork
from workers.inmail_sync.handlers import handle_inmail, handle_mail_stub
from workers.runtime.declare import event_actor
from workers.runtime.wiring import runtime


@event_actor(routes.INMAIL)
def sync_inmail(event: InMailReceived) -> None:
    """A polled InMail message."""
    handle_inmail(event, uow=UnitOfWork(event.tenant, runtime().store))


@event_actor(routes.MAIL_STUB)
def sync_mail_stub(event: MailStubReceived) -> None:
    """A member shared their contact details in an InMail reply."""
    handle_mail_stub(event, uow=UnitOfWork(event.tenant, runtime().store))
