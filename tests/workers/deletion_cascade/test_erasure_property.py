"""Property: whatever happened to a person before, deleting their candidates erases them everywhere.

Random sequences of ATS candidate and application changes, 1-click exports, InMails (from the seat
and from the member), InMail stubs (which merge LinkedIn-made candidates into the ATS one), prospect
notes, outbox sweeps, application deletions, candidate deletions, late deliveries of anything that
happened before a deletion (the same event again, or the same facts under a new event id), and new
exports after a deletion (a new consent). After each deletion: the candidate's receipt exists and
LinkedIn confirmed it, the sandbox holds neither the candidate nor any of its applications, and no
table of the store (enumerated from the schema's metadata, so tables added later are covered) holds
any value of the person. Late events never bring a value back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.envelope import Event
from store.db import Store
from store.deletion_receipts import ReceiptState
from store.tombstones import Subject, subject_of
from tests.sandbox_harness import SandboxHarness
from tests.workers.deletion_cascade.support import World, empty_store, find_values
from workers.inmail_sync.handlers import StubResult
from workers.profile_export.handlers import ExportResult

PEOPLE = 3
STATUSES = ("Applied", "Screen", "Interview", "Offer")

person_ids = st.integers(0, PEOPLE - 1)
operations = st.one_of(
    st.tuples(st.just("ats_candidate"), person_ids),
    st.tuples(st.just("application"), person_ids, st.integers(0, 2)),
    st.tuples(st.just("export"), person_ids),
    st.tuples(st.just("inmail"), person_ids, st.booleans()),
    st.tuples(st.just("stub"), person_ids),
    st.tuples(st.just("note"), person_ids),
    st.tuples(st.just("sweep")),
    st.tuples(st.just("delete_application"), person_ids, st.integers(0, 2)),
    st.tuples(st.just("delete"), person_ids),
    st.tuples(st.just("late"), person_ids, st.integers(0, 1000), st.booleans()),
)


@dataclass
class Person:
    """One human being across their incarnations (a new export after a deletion is a new one)."""

    index: int
    tag: str
    incarnation: int = 0
    deleted: bool = False
    #: Every event about this person delivered so far (what a late delivery picks from).
    events: list[Event] = field(default_factory=list)
    #: Values of incarnations that were erased: never to be seen again.
    erased: set[str] = field(default_factory=set)
    #: Values of the live incarnation that reach its candidates (names, contact details, ...).
    values: set[str] = field(default_factory=set)
    #: What LinkedIn holds about the member (URN, InMails, notes): the person's only once a
    #: candidate is linked to the member (an export or a stub), else nobody can know it is them.
    member_values: set[str] = field(default_factory=set)
    candidate_ids: set[str] = field(default_factory=set)
    application_ids: set[str] = field(default_factory=set)
    steps: dict[str, int] = field(default_factory=dict)
    member_linked_at_deletion: bool = False
    #: The ATS deleted its candidate record ``ats_id`` (until it creates one under that id again).
    ats_candidate_deleted: bool = False

    @property
    def urn(self) -> str:
        return f"urn:li:person:{self.tag}p{self.index}"

    @property
    def ats_id(self) -> str:
        return f"C-{self.tag}-{self.index}"

    def profile(self) -> dict[str, Any]:
        mark = f"{self.tag}p{self.index}n{self.incarnation}"
        profile = {
            "first_name": f"Firstname{mark}",
            "last_name": f"Lastname{mark}",
            "email": f"mail.{mark}@example.org",
            "phone": f"+44 20 {self.index}{self.incarnation}{uuid.uuid4().int % 10**6:06d}",
            "city": f"City{mark}",
            "street": f"{mark} Street",
            "company": f"Company{mark}",
            "title": f"Title{mark}",
            "location": f"Place{mark}, Country",
        }
        self.values.update(profile.values())
        return profile

    def linkedin_member(self) -> dict[str, Any]:
        p = self.profile()
        return {
            "member": self.urn,
            "firstName": p["first_name"],
            "lastName": p["last_name"],
            "location": p["location"],
            "profileUrl": f"https://www.linkedin.com/in/{self.tag}p{self.index}",
            "currentPositions": [{"companyName": p["company"], "title": p["title"]}],
        }


class Run:
    def __init__(self, world: World) -> None:
        self.world = world
        self.people = [Person(i, world.tag) for i in range(PEOPLE)]

    def apply(self, op: tuple[Any, ...]) -> None:
        kind, args = op[0], op[1:]
        if kind == "sweep":
            self.world.sweep()
            return
        person = self.people[args[0]]
        if person.deleted and kind not in ("export", "delete", "late"):
            # Nothing new happens to a deleted person but a new export; what comes is late.
            kind, args = "late", (args[0], len(person.events) - 1, False)
        getattr(self, kind)(person, *args[1:])

    def deliver(self, person: Person, event: Event) -> Any:
        person.events.append(event)
        return self.world.deliver(event)

    # -- what happens to a person ---------------------------------------------------------------

    def ats_candidate(self, person: Person) -> None:
        person.ats_candidate_deleted = False
        created = self.world.now()
        self.deliver(person, self.world.candidate_event(person.ats_id, person.profile(), created=created))
        person.candidate_ids.add(person.ats_id)

    def application(self, person: Person, number: int) -> None:
        if person.ats_candidate_deleted:
            # The ATS deleted this candidate record: it sends no new application of it (an export
            # after the deletion made a new candidate, which the ATS does not know by that id).
            return
        application_id = f"A-{person.tag}-{person.index}-{number}"
        step = person.steps.get(application_id, -1) + 1
        person.steps[application_id] = step
        status = STATUSES[step % len(STATUSES)]
        self.deliver(person, self.world.application_event(application_id, person.ats_id, status, step))
        person.application_ids.add(application_id)

    def export(self, person: Person) -> None:
        if person.deleted:
            # A new export after the deletion: a new consent, a fresh candidate.
            person.incarnation += 1
            person.deleted = False
        result = self.deliver(person, self.world.export_event(person.linkedin_member()))
        assert isinstance(result, ExportResult)
        person.candidate_ids.add(result.candidate_id)
        person.application_ids.add(result.application_id)
        person.member_values.add(person.urn)

    def inmail(self, person: Person, from_member: bool) -> None:
        body = f"Message {person.tag}p{person.index} {uuid.uuid4().hex[:10]}"
        person.member_values.update({body, f"Subject {body}", person.urn})
        self.deliver(person, self.world.inmail_event(person.urn, body, from_member=from_member))

    def stub(self, person: Person) -> None:
        profile = person.profile()
        phone = f"+44 161 {person.index}{uuid.uuid4().int % 10**6:06d}"
        person.values.add(phone)
        person.member_values.add(person.urn)
        result = self.deliver(person, self.world.stub_event(person.urn, profile, phone=phone))
        if isinstance(result, StubResult):
            person.candidate_ids.add(result.candidate_id)

    def note(self, person: Person) -> None:
        text = f"Note about {person.tag}p{person.index} {uuid.uuid4().hex[:10]}"
        person.member_values.update({text, person.urn})
        self.deliver(person, self.world.note_event(person.urn, text))

    def delete_application(self, person: Person, number: int) -> None:
        application_id = f"A-{person.tag}-{person.index}-{number}"
        if application_id not in person.application_ids:
            return
        outcome = self.world.delete_application(application_id, person.ats_id)
        assert outcome.state is ReceiptState.CONFIRMED
        assert application_id not in self.world.remote_ids("applications")
        with self.world.uow() as uow:
            assert uow.applications.get(application_id) is None
            subject = subject_of(uow.keyring, self.world.tenant, Subject.APPLICATION, application_id)
            assert uow.deletion_receipts.of_application(subject)

    def delete(self, person: Person) -> None:
        """The ATS deletes every candidate record it holds of the person, one event each."""
        with self.world.uow() as uow:
            held = uow.candidates.by_person_urn(person.urn)
            ids = {c for c in person.candidate_ids if uow.candidates.get(c) is not None}
            if held is not None:
                ids.add(held.id)
        for candidate_id in sorted(ids):
            outcome = self.world.delete_candidate(candidate_id)
            # After each deletion: confirmed by LinkedIn, receipt, nothing of it in the sandbox.
            assert outcome.state is ReceiptState.CONFIRMED, outcome
            assert self.world.receipts(candidate_id)
            assert candidate_id not in self.world.remote_ids("candidates")
            remote_applications = self.world.remote("applications")
            assert not [a for a in remote_applications if a.get("atsCandidateId") == candidate_id]
            with self.world.uow() as uow:
                assert uow.candidates.get(candidate_id) is None
        person.deleted = True
        person.ats_candidate_deleted = person.ats_id in ids
        person.erased |= person.values
        person.values = set()
        if held is not None:
            person.erased |= person.member_values
            person.member_values = set()
        person.member_linked_at_deletion = held is not None
        self.world.sweep()
        assert not (self.world.remote_ids("applications") & person.application_ids)
        assert not (self.world.remote_ids("candidates") & person.candidate_ids)
        self.check_store()

    def late(self, person: Person, pick: int, same_id: bool) -> None:
        """Something from before the deletion arrives (again): it must change nothing."""
        if not person.events:
            return
        event = person.events[pick % len(person.events)]
        if not same_id:
            event = event.model_copy(update={"id": uuid.uuid4().hex})
        self.world.deliver(event)
        if person.deleted:
            self.world.sweep()
            assert not (self.world.remote_ids("applications") & person.application_ids)
            assert not (self.world.remote_ids("candidates") & person.candidate_ids)
            self.check_store()

    # -- the property ------------------------------------------------------------------------------

    def check_store(self) -> None:
        forbidden: set[str] = set()
        for person in self.people:
            forbidden |= person.erased - person.values - person.member_values
            if person.deleted:
                forbidden |= set(person.candidate_ids)
                if person.member_linked_at_deletion:
                    forbidden.add(person.urn)
        found = find_values(self.world.store, forbidden)
        assert not found, f"erased values still in the store: {found}"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operations, min_size=4, max_size=24))
def test_deleted_people_leave_nothing_behind_and_late_events_do_not_bring_them_back(
    store: Store, sandbox: SandboxHarness, ops: list[tuple[Any, ...]]
) -> None:
    empty_store(store)
    run = Run(World(store, sandbox))
    for op in ops:
        run.apply(op)
    for person in run.people:
        if not person.deleted and (person.candidate_ids or person.events):
            run.delete(person)
    # Everything that ever happened arrives once more, late, under new event ids.
    for person in run.people:
        for late in range(len(person.events)):
            run.late(person, late, same_id=False)
