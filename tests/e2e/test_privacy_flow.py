"""Privacy end to end, through separate processes: seeded personal data flows through every feature
(ATS records, a 1-click export, InMails, a stub that merges, prospect notes and a reply, purge
notices, malformed input), then the ATS deletes a candidate and an application. LinkedIn ends up
holding none of it, the store none of the deleted person, late events bring nothing back, and not
one of the seeded values appears in any log line any process wrote."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from events.publisher import Publisher
from rsc.settings import get_settings
from schemas.catalog import parse_event
from schemas.envelope import Event
from store.db import get_store
from store.deletion_receipts import ReceiptState
from store.tombstones import Subject, subject_of
from store.uow import UnitOfWork
from tests.e2e.pipeline import Pipeline
from tests.e2e.scenario import dead_letters, onboard, publish_raw
from tests.helpers import add_contract
from tests.infra import free_port
from tests.waiting import eventually
from tests.workers.deletion_cascade.support import find_values

TENANT = "acme"
ORG = "urn:li:organization:77"
CONTRACT = "urn:li:contract:77"
SEAT = "urn:li:seat:7701"
JOB = "J-77"
QUEUES = (
    "status_push",
    "profile_export",
    "inmail_sync",
    "note_sync",
    "prospect_poll",
    "profile_match",
    "deletion_cascade",
)

#: Ottilie is in the ATS, and is also the LinkedIn member a recruiter wrote to: her stub merges.
OTTILIE: dict[str, Any] = {
    "urn": "urn:li:person:ottilie77",
    "first_name": "Ottilie",
    "last_name": "Wunderlich-Hargreaves",
    "email": "ottilie.wunderlich@example.net",
    "phone": "+49 30 5550 1717",
    "street": "Kastanienallee 19",
    "city": "Wolkenkuckucksheim",
    "company": "Zeppelinwerft Tiefensee",
    "stub_phone": "+49 151 5550 9191",
    "inmail": "Dear Ottilie, your airship restoration work caught my eye",
    "reply": "Happy to talk, I restore zeppelins on weekends",
    "note": "Prefers calls after the regatta season",
    "note_reply": "I will call her after the regatta",
}
#: Bartholomew is only in the ATS; one of his applications is deleted.
BARTHOLOMEW: dict[str, Any] = {
    "first_name": "Bartholomew",
    "last_name": "Quincey-Ravensworth",
    "email": "b.quincey@example.org",
    "phone": "+44 113 496 0723",
    "street": "7 Marmalade Row",
    "city": "Little Puddlecombe",
    "company": "Quincey Clockworks",
}
#: Leocadia comes from a 1-click export only; she is deleted, then a purge notice names Ferdinand.
LEOCADIA: dict[str, Any] = {
    "urn": "urn:li:person:leocadia77",
    "first_name": "Leocadia",
    "last_name": "Fairweather-Oyelaran",
    "headline": "Lighthouse keeper turned data wrangler",
    "location": "Saint-Pierre-Quilbignon, France",
    "company": "Phares et Balises",
    "school": "Ecole Nationale des Phares",
}
FERDINAND: dict[str, Any] = {
    "urn": "urn:li:person:ferdinand77",
    "first_name": "Ferdinand",
    "last_name": "Oxenstierna-Blum",
    "location": "Jukkasjarvi, Sweden",
    "company": "Icehotel Logistics",
}
SECRET_VALUES = sorted(
    {
        str(v)
        for person in (OTTILIE, BARTHOLOMEW, LEOCADIA, FERDINAND)
        for key, v in person.items()
        if key != "urn"
    }
)


class Mailbox:
    """A local SMTP server taking every e-mail the pipeline sends."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def pipeline(tmp_path: Path, postgres_url: str, rabbit: str, smtp: Mailbox) -> Iterator[Pipeline]:
    running = Pipeline(
        tmp_path,
        postgres_url,
        rabbit,
        RSC_LOG_LEVEL="DEBUG",
        RSC_PROSPECT_BACKFILL_DAYS="1",
        RSC_POLL_OVERLAP_S="5",
        RSC_SEAT_POLL_MIN_INTERVAL_S="2",
        RSC_CONTRACT_POLL_INTERVAL_S="2",
        RSC_TIME_LIMIT_MS="20000",
        RSC_SMTP_PORT=str(smtp.port),
        RSC_ATS_API_TOKEN="ats-token",
    )
    try:
        running.start_sandbox()
        running.start_ingress()
        yield running
        running.assert_no_undeclared_violations()
    finally:
        running.stop()


class Ats:
    """The ATS publishing its events."""

    def __init__(self, broker_url: str) -> None:
        self.publisher = Publisher(broker_url, settings=get_settings())
        self.sent: list[Event] = []

    def publish(self, kind: str, data: dict[str, Any]) -> Event:
        event = parse_event(
            {
                "type": f"ats.{kind}.v1",
                "id": uuid.uuid4().hex,
                "source": "ats://e2e",
                "tenant": TENANT,
                "data": data,
            }
        )
        self.publisher.publish(event)
        self.sent.append(event)
        return event

    def candidate(self, candidate_id: str, person: dict[str, Any]) -> Event:
        now = datetime.now(UTC).isoformat()
        return self.publish(
            "candidate.created",
            {
                "candidate_id": candidate_id,
                "first_name": person["first_name"],
                "last_name": person["last_name"],
                "emails": [person["email"]],
                "phones": [{"number": person["phone"]}],
                "addresses": [{"line1": person["street"], "city": person["city"]}],
                "current_company": person["company"],
                "created_at": now,
                "modified_at": now,
            },
        )

    def application(self, application_id: str, candidate_id: str, status: str, step: int) -> Event:
        now = datetime.now(UTC)
        return self.publish(
            "application.created" if step == 0 else "application.status_changed",
            {
                "application_id": application_id,
                "candidate_id": candidate_id,
                "job_id": JOB,
                "status": status,
                "created_at": (now - timedelta(seconds=step)).isoformat(),
                "modified_at": now.isoformat(),
                "revision": step,
                "transition": {
                    "transition_id": f"{application_id}-{step}",
                    "status": status,
                    "changed_at": now.isoformat(),
                },
            },
        )


def seed_linkedin(pipeline: Pipeline) -> None:
    now = int(time.time() * 1000)
    thread = "urn:li:messagingThread:7707"
    pipeline.control(
        "POST",
        "/scenario",
        json={
            "members": [
                {
                    "member": p["urn"],
                    "firstName": p["first_name"],
                    "lastName": p["last_name"],
                    "headline": p.get("headline", "Explorer"),
                    "location": p["location"],
                    "profileUrl": f"https://www.linkedin.com/in/{p['urn'].rsplit(':', 1)[1]}",
                    "currentPositions": [{"companyName": p["company"], "title": "Keeper"}],
                    "educations": [{"schoolName": p.get("school", "Folk High School"), "degree": "BA"}],
                }
                for p in (LEOCADIA, FERDINAND)
            ],
            "seats": [{"seat": SEAT, "contract": CONTRACT, "emailAddress": "rita@acme.example"}],
            "conversationEvents": [
                {
                    "id": "E1",
                    "thread": thread,
                    "viewer": SEAT,
                    "member": OTTILIE["urn"],
                    "created": now - 90_000,
                    "subject": "Airships",
                    "body": OTTILIE["inmail"],
                },
                {
                    "id": "E2",
                    "thread": thread,
                    "viewer": SEAT,
                    "author": OTTILIE["urn"],
                    "member": OTTILIE["urn"],
                    "created": now - 80_000,
                    "body": OTTILIE["reply"],
                },
            ],
            "mailStubs": [
                {
                    "id": "M1",
                    "contract": CONTRACT,
                    "owners": [SEAT],
                    "member": OTTILIE["urn"],
                    "firstName": OTTILIE["first_name"],
                    "lastName": OTTILIE["last_name"],
                    "emailAddress": OTTILIE["email"],
                    "phoneNumber": OTTILIE["stub_phone"],
                    "currentCompanyName": OTTILIE["company"],
                    "currentJobTitle": "Restorer",
                    "created": now - 70_000,
                }
            ],
            "prospectNotes": [
                {
                    "id": "P1",
                    "contract": CONTRACT,
                    "owner": SEAT,
                    "member": OTTILIE["urn"],
                    "note": OTTILIE["note"],
                    "visibility": "ORGANIZATION",
                    "created": now - 60_000,
                    "lastModified": now - 60_000,
                }
            ],
        },
    )


def stored(check: Any) -> Any:
    with UnitOfWork(TENANT, get_store()) as uow:
        return check(uow)


def receipt_state(candidate_id: str) -> str | None:
    subject = subject_of(get_store().keyring, TENANT, Subject.CANDIDATE, candidate_id)
    return stored(
        lambda uow: next(
            (r.state for r in uow.deletion_receipts.of_subject(subject) if r.kind == "candidate"), None
        )
    )


@pytest.mark.timeout(900)
def test_deleted_people_vanish_everywhere_and_no_log_line_holds_personal_data(
    pipeline: Pipeline, rabbit: str, smtp: Mailbox, postgres_url: str
) -> None:
    client_id, _ = onboard(pipeline, TENANT, org=ORG)
    pipeline.control("PUT", f"/apps/{client_id}", json={"organization": ORG, "contracts": [CONTRACT]})
    add_contract(TENANT, CONTRACT)
    seed_linkedin(pipeline)
    pipeline.start_workers("worker", *QUEUES, threads=4)
    pipeline.start_scheduler()
    ats = Ats(rabbit)
    now = datetime.now(UTC).isoformat()
    ats.publish(
        "job.published",
        {"job_id": JOB, "title": "Keeper", "description": "Keeps things", "state": "published",
         "location": {"city": "Brest", "country_code": "FR"}, "created_at": now, "modified_at": now},
    )  # fmt: skip
    ats.publish(
        "user.created",
        {"user_id": "rita", "first_name": "Rita", "last_name": "Book", "email": "rita@acme.example",
         "created_at": now, "modified_at": now},
    )  # fmt: skip
    ats.candidate("C-OTT", OTTILIE)
    ats.candidate("C-BART", BARTHOLOMEW)
    for step, status in enumerate(("Applied", "Phone screen", "Onsite")):
        ats.application("A-OTT", "C-OTT", status, step)
        ats.application("A-BART-1", "C-BART", status, step)
    ats.application("A-BART-2", "C-BART", "Applied", 0)
    # An export to a job the store does not hold yet is dead-lettered (job_not_found) until replayed.
    eventually(lambda: stored(lambda uow: uow.jobs.get(JOB)), what="the job to be stored")
    pipeline.control(
        "POST",
        "/exports",
        json={"clientId": client_id, "externalJobPostingId": JOB, "member": LEOCADIA["urn"], "wait": True},
    )
    # Malformed input carrying personal data: a schema violation on the queue, a bad push at the door.
    publish_raw(
        rabbit,
        "status_push",
        "apply_candidate_event",
        {"type": "ats.candidate.updated.v1", "id": "bad-1", "source": "ats://e2e", "tenant": TENANT,
         "data": {"candidate_id": "C-BAD", "first_name": BARTHOLOMEW["first_name"],
                  "emails": [f"{BARTHOLOMEW['last_name']} at home"], "created_at": now, "modified_at": now}},
        "bad-message-1",
    )  # fmt: skip
    refused = pipeline.http.post(
        f"{pipeline.ingress_url}/webhooks/linkedin/{TENANT}",
        content=json.dumps({"type": "EXPORT_CANDIDATE_PROFILE", "note": OTTILIE["note"]}).encode(),
        headers={"Content-Type": "application/json", "X-LI-Signature": "hmacsha256=00"},
    )
    assert refused.status_code in (400, 401, 403)

    # Everything arrives: the stub merges Ottilie's LinkedIn candidate into the ATS one.
    def synced(uow: UnitOfWork) -> bool:
        ott = uow.candidates.get("C-OTT")
        return (
            ott is not None
            and ott.person_urn == OTTILIE["urn"]
            and len(uow.inmails.of_member(OTTILIE["urn"])) == 2
            and uow.prospect_notes.get("P1") is not None
            and uow.candidates.by_person_urn(LEOCADIA["urn"]) is not None
            and uow.outbox.dirty_count() == 0
        )

    eventually(lambda: stored(synced), timeout=180, interval=1, what="every feature to have synced")
    leocadia_id = stored(lambda uow: uow.candidates.by_person_urn(LEOCADIA["urn"]).id)
    merged_id = stored(lambda uow: uow.merges.active_into("C-OTT")[0].source_candidate_id)
    eventually(
        lambda: {"C-OTT", "C-BART", leocadia_id} <= _remote_ids(pipeline, "candidates"),
        timeout=60,
        what="the candidates on LinkedIn",
    )
    ats.publish(
        "note.replied",
        {"note_id": "P1", "reply_id": "R1", "author_user_id": "sam", "text": OTTILIE["note_reply"],
         "replied_at": now},
    )  # fmt: skip
    eventually(lambda: smtp.messages, timeout=60, what="the reply notification e-mail")
    viewed = pipeline.http.get(
        f"{pipeline.ingress_url}/ats/{TENANT}/candidates/C-OTT", params={"as": "rita"}
    ).json()
    assert viewed["contact_consents"][0]["source"] == "linkedin_inmail_reply"

    # A purge notice names Ferdinand, exported meanwhile.
    pipeline.control(
        "POST",
        "/exports",
        json={"clientId": client_id, "externalJobPostingId": JOB, "member": FERDINAND["urn"], "wait": True},
    )
    eventually(
        lambda: stored(lambda uow: uow.candidates.by_person_urn(FERDINAND["urn"]) is not None),
        what="Ferdinand's export",
    )
    pipeline.control("POST", "/purged-candidates", json={"clientId": client_id, "member": FERDINAND["urn"]})
    polled = pipeline.rsc("privacy", "poll-notices", "--tenant", TENANT)
    assert polled.returncode == 0 and "1 new" in polled.stdout, polled.stdout + polled.stderr
    notices = pipeline.rsc("privacy", "notices", "--tenant", TENANT)
    ferdinand_id = stored(lambda uow: uow.candidates.by_person_urn(FERDINAND["urn"]).id)
    assert ferdinand_id in notices.stdout and "open" in notices.stdout

    # The ATS deletes Ottilie, Leocadia, and one of Bartholomew's applications.
    old_ottilie = next(e for e in ats.sent if e.type == "ats.candidate.created.v1")
    ats.publish("candidate.deleted", {"candidate_id": "C-OTT", "deleted_at": datetime.now(UTC).isoformat()})
    ats.publish(
        "candidate.deleted", {"candidate_id": leocadia_id, "deleted_at": datetime.now(UTC).isoformat()}
    )
    ats.publish(
        "application.deleted",
        {"application_id": "A-BART-2", "candidate_id": "C-BART", "deleted_at": datetime.now(UTC).isoformat()},
    )
    eventually(
        lambda: receipt_state("C-OTT") == receipt_state(leocadia_id) == ReceiptState.CONFIRMED.value,
        timeout=120,
        what="LinkedIn to confirm the deletions",
    )
    gone = {"C-OTT", merged_id, leocadia_id}
    assert not (_remote_ids(pipeline, "candidates") & gone)
    remote_applications = pipeline.control("GET", f"/orgs/{ORG}/applications")["applications"]
    assert {a["atsJobApplicationId"] for a in remote_applications} == {"A-BART-1"} | {
        stored(lambda uow: uow.applications.for_candidate(ferdinand_id)[0].id)
    }
    receipt = pipeline.rsc("privacy", "receipt", "C-OTT", "--tenant", TENANT)
    assert receipt.returncode == 0 and "atsCandidateId=C-OTT: deleted" in receipt.stdout

    # Late: Ottilie's old snapshot again under a new id, and the polls re-read her InMails.
    Publisher(rabbit, settings=get_settings()).publish(old_ottilie.model_copy(update={"id": "late-replay"}))
    eventually(
        lambda: stored(lambda uow: uow.inbox.seen("status_push", "ats://e2e", "late-replay")),
        what="the late snapshot to be consumed",
    )
    time.sleep(6)  # at least one more InMail, stub and note poll over the overlap
    erased = {OTTILIE[k] for k in ("first_name", "last_name", "email", "phone", "street", "city",
                                   "stub_phone", "inmail", "reply", "note", "urn")}  # fmt: skip
    erased |= {LEOCADIA[k] for k in ("first_name", "last_name", "location", "company", "urn")}
    erased |= {"C-OTT", merged_id, leocadia_id}
    assert find_values(get_store(postgres_url), erased) == {}
    assert not (_remote_ids(pipeline, "candidates") & gone)
    assert set(dead_letters()) == {"schema_violation"}

    pipeline.stop()
    logs = pipeline.log_text()
    for line in (receipt.stderr, notices.stderr, polled.stderr):
        logs += line
    assert logs.count("\n") > 200, "the pipeline logged too little for this check to mean anything"
    leaked = [value for value in SECRET_VALUES if value in logs]
    assert leaked == [], f"personal data in the logs: {leaked}"


def _remote_ids(pipeline: Pipeline, resource: str) -> set[str]:
    field = {"candidates": "atsCandidateId", "applications": "atsJobApplicationId"}[resource]
    return {r[field] for r in pipeline.control("GET", f"/orgs/{ORG}/{resource}")[resource]}
