"""Events born on the LinkedIn side: pushes turned into events by the ingress, and items polled from
LinkedIn (InMails, InMail stubs, prospect notes) turned into events by the prospect polls."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, EmailStr, Field, StringConstraints

from schemas.envelope import Event, Model

RequestId = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ExportRequest(Model):
    #: LinkedIn's request id, used to fetch the export with GET exportedCandidates?q=request.
    request_id: RequestId
    #: The id of the push notification that announced it (pushes are deduplicated on it).
    push_id: RequestId
    notified_at: AwareDatetime


class ExportRequested(Event):
    """LinkedIn pushed EXPORT_CANDIDATE_PROFILE: a recruiter exported a member to a job."""

    family = "export"
    type: Literal["linkedin.export.requested.v1"]
    data: ExportRequest


class IntegrationStatusChange(Model):
    request_id: RequestId
    push_id: RequestId
    notified_at: AwareDatetime


class IntegrationStatusChanged(Event):
    """LinkedIn pushed INTEGRATION_STATUS_CHANGE: the customer enabled or disabled the integration."""

    family = "integration"
    type: Literal["linkedin.integration.status_changed.v1"]
    data: IntegrationStatusChange


SeatUrn = Annotated[str, StringConstraints(pattern=r"^urn:li:seat:\d+$")]
ContractUrn = Annotated[str, StringConstraints(pattern=r"^urn:li:contract:\d+$")]
PersonUrn = Annotated[str, StringConstraints(pattern=r"^urn:li:person:[A-Za-z0-9_-]+$")]
#: Ids LinkedIn gives polled items (conversation events, stubs, notes).
ItemId = Annotated[str, StringConstraints(min_length=1, max_length=200)]
#: Epoch milliseconds on LinkedIn's clock.
EpochMs = Annotated[int, Field(ge=0)]


class InMailMessage(Model):
    #: The conversation event's id; a message is stored once per id.
    event_id: ItemId
    thread: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    #: The Recruiter seat whose mailbox the poll read.
    viewer: SeatUrn
    #: A seat URN (the recruiter wrote it) or a person URN (the member did).
    author: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    #: The member the conversation is with.
    member: PersonUrn | None = None
    created_ms: EpochMs
    subject: str | None = None
    body: str | None = None


class InMailReceived(Event):
    """A polled InMail conversation event (a message of a Recruiter seat's InMail thread)."""

    family = "inmail"
    type: Literal["linkedin.inmail.received.v1"]
    data: InMailMessage


class MailStub(Model):
    """The contact details a member chose to share when answering an InMail."""

    stub_id: ItemId
    contract: ContractUrn
    owners: Annotated[list[SeatUrn], Field(min_length=1)]
    member: PersonUrn
    first_name: str | None = None
    last_name: str | None = None
    email: EmailStr | None = None
    phone: str | None = None
    #: Further e-mail addresses and phone numbers when the stub lists several (``emailAddresses``).
    other_emails: list[EmailStr] = Field(default_factory=list)
    other_phones: list[str] = Field(default_factory=list)
    company: str | None = None
    title: str | None = None
    #: When the member shared their details: the stub's creation time on LinkedIn.
    created_ms: EpochMs
    last_modified_ms: EpochMs


class MailStubReceived(Event):
    """A polled InMail stub profile: a member shared their contact details with a seat."""

    family = "inmail"
    type: Literal["linkedin.mail_stub.received.v1"]
    data: MailStub


class NoteVisibility(StrEnum):
    """Who may see a prospect note, in the pipeline's own spelling (LinkedIn's spellings are read by
    ``workers.prospect_polling.items.read_visibility``)."""

    #: "Anyone in my organization": every ATS user with a mapped seat.
    ORGANIZATION = "ORGANIZATION"
    #: "Only me": the note's author alone. Also what a note with no, or an unknown, visibility gets.
    PRIVATE = "PRIVATE"


class ProspectNote(Model):
    note_id: ItemId
    contract: ContractUrn
    #: The seat that wrote the note.
    owner: SeatUrn
    member: PersonUrn | None = None
    text: str | None = None
    visibility: NoteVisibility
    #: The visibility as LinkedIn wrote it; None when the note carried none (it then reads as Only
    #: me) or the event was made before this field.
    visibility_sent: Annotated[str, StringConstraints(max_length=64)] | None = None
    #: False when the note was deleted in LinkedIn.
    active: bool
    created_ms: EpochMs
    last_modified_ms: EpochMs


class ProspectNoteChanged(Event):
    """A polled prospect note, created, edited or deleted (``active: false``) in LinkedIn."""

    family = "prospect_note"
    type: Literal["linkedin.prospect_note.changed.v1"]
    data: ProspectNote
