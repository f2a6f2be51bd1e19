"""A tenant driven in-process: ATS events, LinkedIn exports and polled items through the real
handlers, the outbox sweep, and deletions, against a store and the in-process LinkedIn sandbox.

Every value a person is made of is unique to the world (the world's ``tag`` is in each), so a scan of
the whole store can tell whose data is where.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from linkedin.client import LinkedInClient
from rsc.settings import get_settings
from schemas.ats import (
    ApplicationDeleted,
    ApplicationDeletion,
    CandidateDeleted,
    CandidateDeletion,
    JobSnapshot,
)
from schemas.catalog import parse_event
from schemas.envelope import Event
from schemas.linkedin import ExportRequest, ExportRequested
from store.base import to_ms, utcnow
from store.db import Store
from store.schema import metadata
from store.tombstones import Subject, subject_of
from store.uow import UnitOfWork
from tests.sandbox_harness import SandboxHarness
from workers.deletion_cascade.handlers import (
    DeletionOutcome,
    handle_application_deleted,
    handle_candidate_deleted,
)
from workers.inmail_sync.handlers import handle_inmail, handle_mail_stub
from workers.note_sync.handlers import handle_prospect_note
from workers.profile_export.handlers import handle_export_requested
from workers.profile_matching.matching import handle_candidate_changed
from workers.prospect_polling.items import Asked, ItemKind
from workers.prospect_polling.pages import inmail_event, note_event, stub_event
from workers.shared.outbox_sweep import sweep_outbox
from workers.status_push.ats_records import handle_application_event, handle_candidate_event

JOB = "J-1"
CONTRACT = "urn:li:contract:10"
SEAT = "urn:li:seat:501"
ATS_SOURCE = "ats://privacy-tests"
_counter = itertools.count()


def new_world_tag() -> str:
    """A tenant-safe tag unique in this test process."""
    return f"w{next(_counter)}{uuid.uuid4().hex[:6]}"


class World:
    """One tenant with its own LinkedIn organization and customer app in the sandbox."""

    def __init__(self, store: Store, sandbox: SandboxHarness, tag: str | None = None) -> None:
        from tests.helpers import create_tenant

        self.store = store
        self.sandbox = sandbox
        self.tag = tag or new_world_tag()
        self.tenant = self.tag
        number = abs(hash(self.tag)) % 10**9
        self.org = f"urn:li:organization:{number}"
        client_id, secret = f"{self.tag}-client", f"{self.tag}-secret"
        sandbox.create_app(client_id, secret, self.org, contracts=[CONTRACT])
        create_tenant(self.tenant, org=self.org, client_id=client_id, client_secret=secret)
        self.client_id = client_id
        self.linkedin: LinkedInClient = sandbox.linkedin(client_id, secret, self.org)
        self._tick = itertools.count(1)
        self.publish_job()

    # -- time ------------------------------------------------------------------------------------

    def now(self) -> datetime:
        """Strictly increasing times on the real clock (LinkedIn's and the ATS's are the same)."""
        return utcnow() + timedelta(microseconds=next(self._tick))

    # -- the ATS ---------------------------------------------------------------------------------

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.tenant, self.store)

    def ats(self, kind: str, data: dict[str, Any]) -> Event:
        return parse_event(
            {
                "type": f"ats.{kind}.v1",
                "id": uuid.uuid4().hex,
                "source": ATS_SOURCE,
                "tenant": self.tenant,
                "data": data,
            }
        )

    def publish_job(self) -> None:
        when = self.now()
        with self.uow() as uow:
            uow.jobs.apply(
                JobSnapshot(
                    job_id=JOB,
                    title="Engineer",
                    description="Builds engines",
                    location={"city": "Berlin", "country_code": "DE"},
                    state="published",
                    created_at=when,
                    modified_at=when,
                )
            )
            from store.linkedin_sync import Resource

            uow.outbox.mark_changed(Resource.JOB, JOB)
            uow.commit()

    def candidate_event(self, candidate_id: str, person: dict[str, Any], *, created: datetime) -> Event:
        when = self.now()
        return self.ats(
            "candidate.updated",
            {
                "candidate_id": candidate_id,
                "first_name": person["first_name"],
                "last_name": person["last_name"],
                "emails": [person["email"]],
                "phones": [{"number": person["phone"]}],
                "addresses": [{"city": person["city"], "line1": person["street"]}],
                "current_company": person["company"],
                "created_at": created.isoformat(),
                "modified_at": when.isoformat(),
            },
        )

    def application_event(self, application_id: str, candidate_id: str, status: str, step: int) -> Event:
        when = self.now()
        return self.ats(
            "application.created" if step == 0 else "application.status_changed",
            {
                "application_id": application_id,
                "candidate_id": candidate_id,
                "job_id": JOB,
                "status": status,
                "created_at": when.isoformat() if step == 0 else (when - timedelta(seconds=1)).isoformat(),
                "modified_at": when.isoformat(),
                "revision": step,
                "transition": {
                    "transition_id": f"{application_id}-t{step}",
                    "status": status,
                    "changed_at": when.isoformat(),
                },
            },
        )

    def deliver(self, event: Event) -> Any:
        """Hand the event to every consumer that would get it, as the workers would."""
        if event.type.startswith("ats.candidate.") and not event.type.endswith("deleted.v1"):
            changed = handle_candidate_event(event, self.uow())  # type: ignore[arg-type]
            handle_candidate_changed(event, self.uow())  # type: ignore[arg-type]
            return changed
        if event.type.startswith("ats.application.") and not event.type.endswith("deleted.v1"):
            return handle_application_event(event, self.uow())  # type: ignore[arg-type]
        if event.type == "linkedin.export.requested.v1":
            return handle_export_requested(event, self.uow(), self.linkedin, settings=get_settings())  # type: ignore[arg-type]
        if event.type == "linkedin.inmail.received.v1":
            return handle_inmail(event, self.uow())  # type: ignore[arg-type]
        if event.type == "linkedin.mail_stub.received.v1":
            return handle_mail_stub(event, self.uow())  # type: ignore[arg-type]
        if event.type == "linkedin.prospect_note.changed.v1":
            return handle_prospect_note(event, self.uow())  # type: ignore[arg-type]
        raise AssertionError(f"no consumer for {event.type}")

    def delete_candidate(self, candidate_id: str) -> DeletionOutcome:
        event = CandidateDeleted(
            type="ats.candidate.deleted.v1",
            source=ATS_SOURCE,
            tenant=self.tenant,
            data=CandidateDeletion(candidate_id=candidate_id, deleted_at=self.now()),
        )
        return handle_candidate_deleted(event, self.uow(), self.linkedin, settings=get_settings())

    def delete_application(self, application_id: str, candidate_id: str | None = None) -> DeletionOutcome:
        event = ApplicationDeleted(
            type="ats.application.deleted.v1",
            source=ATS_SOURCE,
            tenant=self.tenant,
            data=ApplicationDeletion(
                application_id=application_id, candidate_id=candidate_id, deleted_at=self.now()
            ),
        )
        return handle_application_deleted(event, self.uow(), self.linkedin, settings=get_settings())

    # -- LinkedIn --------------------------------------------------------------------------------

    def export_event(self, member: dict[str, Any]) -> ExportRequested:
        request_id = str(self.sandbox.export(self.client_id, JOB, member)["requestId"])
        return ExportRequested(
            type="linkedin.export.requested.v1",
            id=f"push-{request_id}",
            source="linkedin://rsc/push",
            tenant=self.tenant,
            data=ExportRequest(request_id=request_id, push_id=f"push-{request_id}", notified_at=self.now()),
        )

    def inmail_event(self, member_urn: str, body: str, *, from_member: bool = False) -> Event:
        return inmail_event(
            self.tenant,
            {
                "id": uuid.uuid4().hex,
                "thread": f"urn:li:messagingThread:{abs(hash(member_urn)) % 10**6}",
                "viewer": SEAT,
                "author": member_urn if from_member else SEAT,
                "member": member_urn,
                "created": to_ms(self.now()),
                "subject": f"Subject {body}",
                "body": body,
            },
            Asked(ItemKind.CONVERSATION_EVENT, CONTRACT, (SEAT,)),
        )

    def stub_event(self, member_urn: str, person: dict[str, Any], *, phone: str) -> Event:
        created = to_ms(self.now())
        return stub_event(
            self.tenant,
            {
                "id": uuid.uuid4().hex,
                "contract": CONTRACT,
                "owners": [SEAT],
                "member": member_urn,
                "firstName": person["first_name"],
                "lastName": person["last_name"],
                "emailAddress": person["email"],
                "phoneNumber": phone,
                "currentCompanyName": person["company"],
                "currentJobTitle": person["title"],
                "created": created,
                "lastModified": created,
            },
            Asked(ItemKind.MAIL_STUB, CONTRACT, (SEAT,)),
        )

    def note_event(self, member_urn: str, text: str) -> Event:
        created = to_ms(self.now())
        return note_event(
            self.tenant,
            {
                "id": uuid.uuid4().hex,
                "contract": CONTRACT,
                "owner": SEAT,
                "member": member_urn,
                "note": text,
                "visibility": "ORGANIZATION",
                "active": True,
                "created": created,
                "lastModified": created,
            },
            Asked(ItemKind.PROSPECT_NOTE, CONTRACT, (SEAT,)),
        )

    def sweep(self) -> None:
        report = sweep_outbox(
            self.uow(), self.linkedin, grace=timedelta(0), max_wait=timedelta(0), settings=get_settings()
        )
        assert not report.interrupted

    # -- reading ---------------------------------------------------------------------------------

    def remote(self, resource: str) -> list[dict[str, Any]]:
        """The organization's records in the sandbox: ``candidates``, ``applications``, ``deletions``."""
        return list(self.sandbox.records(self.org, resource)[resource])

    def remote_ids(self, resource: str) -> set[str]:
        field = {"candidates": "atsCandidateId", "applications": "atsJobApplicationId"}[resource]
        return {record[field] for record in self.remote(resource)}

    def receipts(self, candidate_id: str) -> list[Any]:
        with self.uow() as uow:
            found = uow.deletion_receipts.of_subject(
                subject_of(self.store.keyring, self.tenant, Subject.CANDIDATE, candidate_id)
            )
            uow.session.expunge_all()  # readable after the unit of work ends
            return found


def empty_store(store: Store) -> None:
    """Delete every row of every table: each example of a property starts from an empty store, so
    the scans of ``find_values`` read one example's rows, not every earlier example's as well."""
    with store.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


def table_texts(store: Store) -> Iterator[tuple[str, str]]:
    """(table, text of one row): every row of every table of the schema, whoever added the table."""
    with store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                yield table.name, json.dumps([_plain(v) for v in row], default=str, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value


def find_values(store: Store, values: set[str]) -> dict[str, set[str]]:
    """{value: tables holding it} for each of ``values`` found anywhere in the store."""
    found: dict[str, set[str]] = {}
    for table, text in table_texts(store):
        for value in values:
            if value in text:
                found.setdefault(value, set()).add(table)
    return found
