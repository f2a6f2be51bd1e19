"""Events the ATS publishes: jobs, candidates, applications, notes, users and note replies.

Create and update events carry the record's full current state (a snapshot), so a consumer never
needs an earlier event to apply a later one. ``modified_at`` (and ``revision`` where the ATS has a
counter) orders snapshots: a snapshot older than what the store holds changes nothing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, EmailStr, Field, StringConstraints, model_validator

from schemas.envelope import AtsId, Event, Model, NonEmpty


class JobState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class JobLocation(Model):
    city: str | None = None
    region: str | None = None
    country_code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = None
    postal_code: str | None = None


class Versioned(Model):
    created_at: AwareDatetime
    modified_at: AwareDatetime
    #: Optional counter from the ATS; breaks ties between snapshots with the same modified_at.
    revision: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _modified_not_before_created(self) -> Versioned:
        if self.modified_at < self.created_at:
            raise ValueError("modified_at must not be earlier than created_at")
        return self

    @property
    def order_key(self) -> tuple[int, int]:
        return (int(self.modified_at.timestamp() * 1000), self.revision)


class JobSnapshot(Versioned):
    """A job's full state; `hiring_team` (ATS user ids) sees it on LinkedIn under ACL_BASED viewers."""

    job_id: AtsId
    title: NonEmpty
    description: str | None = None
    location: JobLocation | None = None
    state: JobState
    apply_url: str | None = None
    company_name: str | None = None
    #: ATS user ids of the job's hiring team; when the tenant's job posting viewers are ACL_BASED,
    #: the team members connected to a Recruiter seat are the ones who see the job on LinkedIn.
    #: Absent: the job has no team (nobody is named on its ACL).
    hiring_team: Annotated[list[AtsId], Field(max_length=500)] | None = None


class _JobEvent(Event):
    family = "job"
    data: JobSnapshot


class JobCreated(_JobEvent):
    """A job was created in the ATS (any state)."""

    type: Literal["ats.job.created.v1"]


class JobUpdated(_JobEvent):
    """A job changed in the ATS; data is its full current state."""

    type: Literal["ats.job.updated.v1"]


class JobPublished(_JobEvent):
    """A job was published; only published jobs can receive LinkedIn exports."""

    type: Literal["ats.job.published.v1"]

    @model_validator(mode="after")
    def _state_is_published(self) -> JobPublished:
        if self.data.state is not JobState.PUBLISHED:
            raise ValueError("ats.job.published requires data.state 'published'")
        return self


class JobClosed(_JobEvent):
    """A job was closed; it stays in LinkedIn as closed so recruiters can still pick it."""

    type: Literal["ats.job.closed.v1"]

    @model_validator(mode="after")
    def _state_is_closed(self) -> JobClosed:
        if self.data.state is not JobState.CLOSED:
            raise ValueError("ats.job.closed requires data.state 'closed'")
        return self


class Phone(Model):
    number: NonEmpty
    extension: str | None = None


class Address(Model):
    line1: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None


class CandidateSnapshot(Versioned):
    candidate_id: AtsId
    first_name: str | None = None
    last_name: str | None = None
    middle_initial: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    emails: list[EmailStr] = Field(default_factory=list)
    phones: list[Phone] = Field(default_factory=list)
    addresses: list[Address] = Field(default_factory=list)
    current_company: str | None = None
    current_title: str | None = None
    linkedin_profile_url: str | None = None
    profile_url: str | None = None
    do_not_contact: bool | None = None
    source: str | None = None


class _CandidateEvent(Event):
    family = "candidate"
    data: CandidateSnapshot


class CandidateCreated(_CandidateEvent):
    """A candidate was created in the ATS."""

    type: Literal["ats.candidate.created.v1"]


class CandidateUpdated(_CandidateEvent):
    """A candidate changed in the ATS; data is its full current state."""

    type: Literal["ats.candidate.updated.v1"]


class CandidateDeletion(Model):
    candidate_id: AtsId
    deleted_at: AwareDatetime


class CandidateDeleted(Event):
    """A candidate was deleted in the ATS: its synced data is deleted from LinkedIn and erased here."""

    family = "candidate"
    type: Literal["ats.candidate.deleted.v1"]
    data: CandidateDeletion


class StageTransition(Model):
    """One move of an application through the hiring process; LinkedIn keeps one stage record each."""

    transition_id: AtsId
    status: NonEmpty
    changed_at: AwareDatetime


class ApplicationSnapshot(Versioned):
    application_id: AtsId
    candidate_id: AtsId
    job_id: AtsId
    status: NonEmpty
    source: str | None = None
    disposition_reason: str | None = None
    #: The transition that produced this snapshot (created: the first status).
    transition: StageTransition | None = None


class _ApplicationEvent(Event):
    family = "application"
    data: ApplicationSnapshot


class ApplicationCreated(_ApplicationEvent):
    """A candidate applied (or was applied) to a job in the ATS."""

    type: Literal["ats.application.created.v1"]


class ApplicationUpdated(_ApplicationEvent):
    """An application changed in the ATS without a status transition."""

    type: Literal["ats.application.updated.v1"]


class ApplicationStatusChanged(_ApplicationEvent):
    """An application moved to another status; LinkedIn shows each move as a stage."""

    type: Literal["ats.application.status_changed.v1"]

    @model_validator(mode="after")
    def _has_transition(self) -> ApplicationStatusChanged:
        if self.data.transition is None:
            raise ValueError("ats.application.status_changed requires data.transition")
        if self.data.transition.status != self.data.status:
            raise ValueError("data.transition.status must equal data.status")
        return self


class ApplicationDeletion(Model):
    application_id: AtsId
    candidate_id: AtsId | None = None
    deleted_at: AwareDatetime


class ApplicationDeleted(Event):
    """An application was deleted in the ATS; it is deleted from LinkedIn too."""

    family = "application"
    type: Literal["ats.application.deleted.v1"]
    data: ApplicationDeletion


class NoteAuthor(Model):
    first_name: NonEmpty
    last_name: NonEmpty


class CandidateNoteSnapshot(Versioned):
    note_id: AtsId
    candidate_id: AtsId
    #: Set when the note is about one of the candidate's applications.
    application_id: AtsId | None = None
    text: str | None = None
    #: LinkedIn takes an author only with both names.
    author: NoteAuthor | None = None


class _CandidateNoteEvent(Event):
    family = "candidate_note"
    data: CandidateNoteSnapshot


class CandidateNoteCreated(_CandidateNoteEvent):
    """A note about a candidate (or one of its applications) was written in the ATS."""

    type: Literal["ats.candidate_note.created.v1"]


class CandidateNoteUpdated(_CandidateNoteEvent):
    """A note about a candidate changed in the ATS; data is its full current state."""

    type: Literal["ats.candidate_note.updated.v1"]


class UserSnapshot(Versioned):
    user_id: AtsId
    first_name: str | None = None
    last_name: str | None = None
    email: EmailStr | None = None
    #: The user's LinkedIn member URN when the ATS knows it (from a Sign-in with LinkedIn).
    person_urn: Annotated[str, StringConstraints(pattern=r"^urn:li:person:[A-Za-z0-9_-]+$")] | None = None
    #: E-mail notifications for collaboration (note replies) switched on.
    notify_collaboration_email: bool = True
    active: bool = True


class _UserEvent(Event):
    family = "user"
    data: UserSnapshot


class UserCreated(_UserEvent):
    """An ATS user was created (mapped to a LinkedIn Recruiter seat for InMail and note sync)."""

    type: Literal["ats.user.created.v1"]


class UserUpdated(_UserEvent):
    """An ATS user changed (name, e-mail, notification settings, member URN)."""

    type: Literal["ats.user.updated.v1"]


class UserDeletion(Model):
    user_id: AtsId
    deleted_at: AwareDatetime


class UserDeleted(Event):
    """An ATS user was deleted."""

    family = "user"
    type: Literal["ats.user.deleted.v1"]
    data: UserDeletion


class NoteReply(Model):
    note_id: AtsId
    reply_id: AtsId
    author_user_id: AtsId
    text: str
    replied_at: AwareDatetime


class NoteReplied(Event):
    """An ATS user replied to a synced prospect note; users who can see the note are notified."""

    family = "note"
    type: Literal["ats.note.replied.v1"]
    data: NoteReply
