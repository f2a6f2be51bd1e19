"""Units of work: one transaction, rolled back unless ``commit()`` ran.

``UnitOfWork(tenant, store)`` is bound to one tenant and is what handlers receive. ``OpsUnitOfWork`` is the
operator's view (tenant registry, dead letters, rejections) and never touches tenant data tables.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session

from rsc.crypto import Keyring
from store.applications import Applications
from store.ats_notes import AtsNotes
from store.backfill import Backfills
from store.candidate_matches import CandidateMatches
from store.candidate_merges import CandidateMerges
from store.candidates import Candidates
from store.contracts import Contracts
from store.db import Store
from store.dead_letter_archive import DeadLetterArchive
from store.dead_letters import DeadLetters, Rejections
from store.deletion_receipts import DeletionReceipts
from store.exports import Exports
from store.inbox import Inbox
from store.inmails import InMails
from store.integrations import Integrations
from store.job_acls import JobAcls
from store.job_postings import JobPostingTasks
from store.jobs import Jobs
from store.linkedin_sync import LinkedInOutbox
from store.mail_stubs import MailStubs
from store.match_keys import MatchKeys
from store.member_claims import MemberClaims
from store.members import Members
from store.note_notifications import NoteNotifications
from store.parked_items import ParkedItems
from store.prospect_notes import ProspectNotes
from store.prospect_polls import PollCursors
from store.purge_notices import PurgeNotices
from store.seats import Seats
from store.skipped_messages import SkippedMessages
from store.sync_ledger import SyncLedger
from store.tenants import Tenants
from store.tombstones import Tombstones
from store.users import Users


class _Transaction:
    session: Session

    def __init__(self, store: Store) -> None:
        self.store = store
        self._open = False

    def _begin(self, tenant: str | None) -> None:
        if self._open:
            raise RuntimeError("this unit of work is already open; units of work do not nest")
        self.session = self.store.session(tenant)
        self._open = True

    @property
    def keyring(self) -> Keyring:
        """The store's keyring: for the secrets and keyed hashes of the rows this unit of work holds."""
        return self.store.keyring

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()
            self._open = False


class UnitOfWork(_Transaction):
    jobs: Jobs
    candidates: Candidates
    applications: Applications
    inbox: Inbox
    outbox: LinkedInOutbox
    exports: Exports
    users: Users
    contracts: Contracts
    seats: Seats
    poll_cursors: PollCursors
    inmails: InMails
    mail_stubs: MailStubs
    prospect_notes: ProspectNotes
    merges: CandidateMerges
    note_notifications: NoteNotifications
    members: Members
    match_keys: MatchKeys
    candidate_matches: CandidateMatches
    tombstones: Tombstones
    deletion_receipts: DeletionReceipts
    purge_notices: PurgeNotices
    integrations: Integrations
    backfills: Backfills
    ats_notes: AtsNotes
    parked_items: ParkedItems
    ledger: SyncLedger
    job_postings: JobPostingTasks
    job_acls: JobAcls

    def __init__(self, tenant: str, store: Store) -> None:
        super().__init__(store)
        self.tenant = tenant

    def __enter__(self) -> Self:
        self._begin(self.tenant)
        s, t = self.session, self.tenant
        self.jobs = Jobs(s, t)
        self.candidates = Candidates(s, t)
        self.applications = Applications(s, t)
        self.inbox = Inbox(s, t)
        self.outbox = LinkedInOutbox(s, t)
        self.exports = Exports(s, t)
        self.users = Users(s, t)
        self.contracts = Contracts(s, t)
        self.seats = Seats(s, t)
        self.poll_cursors = PollCursors(s, t)
        self.inmails = InMails(s, t)
        self.mail_stubs = MailStubs(s, t)
        self.prospect_notes = ProspectNotes(s, t)
        self.merges = CandidateMerges(s, t)
        self.note_notifications = NoteNotifications(s, t)
        self.members = Members(s, t)
        self.match_keys = MatchKeys(s, t)
        self.member_claims = MemberClaims(s, t)
        self.candidate_matches = CandidateMatches(s, t)
        self.tombstones = Tombstones(s, t)
        self.deletion_receipts = DeletionReceipts(s, t)
        self.purge_notices = PurgeNotices(s, t)
        self.integrations = Integrations(s, t)
        self.backfills = Backfills(s, t)
        self.ats_notes = AtsNotes(s, t)
        self.parked_items = ParkedItems(s, t)
        self.ledger = SyncLedger(s, t)
        self.job_postings = JobPostingTasks(s, t)
        self.job_acls = JobAcls(s, t)
        return self


class OpsUnitOfWork(_Transaction):
    tenants: Tenants
    dead_letters: DeadLetters
    rejections: Rejections
    skipped_messages: SkippedMessages

    def __enter__(self) -> Self:
        self._begin(None)
        self.tenants = Tenants(self.session)
        self.dead_letters = DeadLetters(self.session)
        self.dead_letter_archive = DeadLetterArchive(self.session)
        self.rejections = Rejections(self.session)
        self.skipped_messages = SkippedMessages(self.session)
        return self
