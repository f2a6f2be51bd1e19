"""The deletion cascade against the in-process LinkedIn sandbox and both stores."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from linkedin.versions import Family
from rsc.settings import get_settings
from schemas.ats import CandidateDeleted, CandidateDeletion
from schemas.commands import DeletionSweep
from store.base import utcnow
from store.candidate_matches import HistoryAction
from store.deletion_receipts import ReceiptState, tenants_with_due_receipts
from store.linkedin_sync import Resource
from store.sweep_leases import SweepLeases
from store.tombstones import Subject, subject_of
from tests.helpers import CLAIM_LEASE, linkedin_path, v2_resource
from tests.workers.deletion_cascade.support import World, find_values
from workers.deletion_cascade import handlers
from workers.deletion_cascade.handlers import (
    SWEEP_RECEIPTS,
    deletion_sweep_messages,
    handle_candidate_deleted,
    handle_deletion_sweep,
    send_deletes,
)
from workers.inmail_sync.handlers import StubResult
from workers.profile_export.handlers import ExportResult
from workers.shared.application_push import build_applications, send_applications

PERSON: dict[str, Any] = {
    "first_name": "Philippa",
    "last_name": "Quartermaine",
    "email": "philippa.q@example.org",
    "phone": "+44 20 7946 0101",
    "city": "Hull",
    "street": "1 Dock Street",
    "company": "Quartermaine Shipping",
    "title": "Navigator",
}


def delete_calls(world: World) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in world.sandbox.counters()["calls"]:
        if row["app"] == world.client_id and row["method"] == "DELETE":
            resource = v2_resource(row["resource"])
            counts[resource] = counts.get(resource, 0) + row["calls"]
    return counts


def test_a_candidate_with_50_synced_applications_costs_one_delete_call_of_each(world: World) -> None:
    world.deliver(world.candidate_event("C-1", PERSON, created=world.now()))
    for a in range(50):
        world.deliver(world.application_event(f"A-{a:02d}", "C-1", "Applied", 0))
    world.sweep()
    assert len(world.remote_ids("applications")) == 50
    outcome = world.delete_candidate("C-1")
    assert outcome.state is ReceiptState.CONFIRMED and outcome.pending == 0
    assert delete_calls(world) == {"atsApplications": 1, "atsCandidates": 1}
    assert world.remote("applications") == [] and world.remote("candidates") == []
    (receipt,) = world.receipts("C-1")
    assert receipt.state == ReceiptState.CONFIRMED
    assert sorted(e["key"] for e in receipt.linkedin if e["resource"] == "atsApplications") == [
        f"A-{a:02d}" for a in range(50)
    ]
    assert [e["role"] for e in receipt.linkedin if e["resource"] == "atsCandidates"] == ["candidate"]
    assert {e["outcome"] for e in receipt.linkedin} == {"deleted"}
    assert receipt.store_rows["applications"] == 50 and receipt.store_rows["candidates"] == 1


def test_an_erasure_counts_once_in_the_deletions_metric(world: World) -> None:
    from prometheus_client import REGISTRY

    from schemas.ats import CandidateDeleted
    from workers.deletion_cascade.handlers import handle_candidate_deleted

    def erased() -> float:
        return REGISTRY.get_sample_value("rsc_deletions_total", {"kind": "candidate"}) or 0.0

    before = erased()
    world.deliver(world.candidate_event("C-9", PERSON, created=world.now()))
    event = CandidateDeleted.model_validate(
        {
            "type": "ats.candidate.deleted.v1",
            "id": "delete-C-9",
            "source": "ats://privacy",
            "tenant": world.tenant,
            "data": {"candidate_id": "C-9", "deleted_at": world.now().isoformat()},
        }
    )
    handle_candidate_deleted(event, world.uow(), world.linkedin, settings=get_settings())
    handle_candidate_deleted(
        event, world.uow(), world.linkedin, settings=get_settings()
    )  # redelivered: nothing more is erased
    assert erased() == before + 1


def member(world: World, suffix: str = "ada") -> dict[str, Any]:
    return {
        "member": f"urn:li:person:{world.tag}{suffix}",
        "firstName": PERSON["first_name"],
        "lastName": PERSON["last_name"],
        "location": "Hull, United Kingdom",
        "currentPositions": [{"companyName": PERSON["company"], "title": PERSON["title"]}],
    }


def test_an_application_deletion_deletes_it_with_its_stages_and_a_late_update_does_not_return(
    world: World,
) -> None:
    world.deliver(world.candidate_event("C-1", PERSON, created=world.now()))
    first = world.application_event("A-1", "C-1", "Applied", 0)
    world.deliver(first)
    screen = world.application_event("A-1", "C-1", "Screen", 1)
    world.deliver(screen)
    world.deliver(world.application_event("A-2", "C-1", "Applied", 0))
    world.sweep()
    assert world.remote_ids("applications") == {"A-1", "A-2"}
    outcome = world.delete_application("A-1")
    assert outcome.state is ReceiptState.CONFIRMED
    assert world.remote_ids("applications") == {"A-2"}
    gone = {(d["kind"], d["key"]) for d in world.remote("deletions")}
    assert gone == {("application", "A-1"), ("applicationStage", "A-1-t0"), ("applicationStage", "A-1-t1")}
    with world.uow() as uow:
        assert uow.applications.get("A-1") is None and uow.applications.stages("A-1") == []
        assert uow.applications.get("A-2") is not None and uow.candidates.get("C-1") is not None
        (receipt,) = uow.deletion_receipts.of_application(
            subject_of(uow.keyring, world.tenant, Subject.APPLICATION, "A-1")
        )
        assert receipt.kind == "application" and receipt.store_rows == {
            "application_stages": 2,
            "applications": 1,
            "linkedin_sync": 1,
            # Its sync ledger: two events stored, one push.
            "sync_ledger": 3,
        }
        # Found from the candidate too (its stored candidate id named it).
        assert [
            r.id
            for r in uow.deletion_receipts.of_subject(
                subject_of(uow.keyring, world.tenant, Subject.CANDIDATE, "C-1")
            )
        ] == [receipt.id]
    # A late update from before the deletion, under a new id: nothing comes back, nothing is sent.
    assert world.deliver(screen.model_copy(update={"id": "late-update"})) is False
    world.sweep()
    assert world.remote_ids("applications") == {"A-2"}
    # The ATS restores it later (a change after the deletion): that is a new fact and goes through.
    world.deliver(world.application_event("A-1", "C-1", "Offer", 2))
    world.sweep()
    assert world.remote_ids("applications") == {"A-1", "A-2"}


def test_a_redelivered_deletion_resumes_its_receipt_and_calls_linkedin_no_more(world: World) -> None:
    world.deliver(world.candidate_event("C-1", PERSON, created=world.now()))
    world.deliver(world.application_event("A-1", "C-1", "Applied", 0))
    world.sweep()
    event = CandidateDeleted(
        type="ats.candidate.deleted.v1",
        source="ats://privacy-tests",
        tenant=world.tenant,
        data=CandidateDeletion(candidate_id="C-1", deleted_at=world.now()),
    )
    first = handle_candidate_deleted(event, world.uow(), world.linkedin, settings=get_settings())
    calls = delete_calls(world)
    again = handle_candidate_deleted(event, world.uow(), world.linkedin, settings=get_settings())
    replayed = handle_candidate_deleted(
        event.model_copy(update={"id": "x"}), world.uow(), world.linkedin, settings=get_settings()
    )
    assert first.receipt_id == again.receipt_id == replayed.receipt_id
    assert again.state is ReceiptState.CONFIRMED and delete_calls(world) == calls
    assert len(world.receipts("C-1")) == 1


def test_deletes_are_retried_until_linkedin_confirms_them(world: World) -> None:
    world.deliver(world.candidate_event("C-1", PERSON, created=world.now()))
    world.deliver(world.application_event("A-1", "C-1", "Applied", 0))
    world.sweep()
    world.sandbox.faults(error_rate=1.0, path_prefix=linkedin_path(Family.APPLICATIONS))
    outcome = world.delete_candidate("C-1")
    assert outcome.state is ReceiptState.PENDING and outcome.pending == 2
    (receipt,) = world.receipts("C-1")
    assert receipt.attempts == 1 and receipt.next_attempt_at is not None
    assert receipt.last_error is not None and "LinkedIn unavailable" in receipt.last_error
    # Erased here at once, even though LinkedIn has not confirmed yet; the keys wait encrypted.
    assert "C-1" not in (receipt.pending_enc or "") and receipt.pending(world.store.keyring) == {
        "atsApplications": ["A-1"],
        "atsCandidates": ["C-1"],
    }
    with world.uow() as uow:
        assert uow.candidates.get("C-1") is None
    # Not due before its backoff; then the scheduler asks for a sweep of this tenant.
    with world.store.session(None) as session:
        assert world.tenant not in tenants_with_due_receipts(session)
    _make_due(world, receipt.id)
    with world.store.session(None) as session:
        assert world.tenant in tenants_with_due_receipts(session)
        messages = deletion_sweep_messages(session)
    assert [m.queue for m in messages if world.tenant.encode() in m.body] == ["deletion_cascade"]
    # Still down: the backoff doubles.
    assert (
        handle_deletion_sweep(
            DeletionSweep(tenant=world.tenant), world.uow(), world.linkedin, settings=get_settings()
        )
        == 1
    )
    (receipt,) = world.receipts("C-1")
    assert receipt.attempts == 2 and receipt.state == ReceiptState.PENDING
    assert world.remote_ids("candidates") == {"C-1"}  # the candidate waits for its applications
    world.sandbox.faults(error_rate=0.0)
    _make_due(world, receipt.id)
    assert (
        handle_deletion_sweep(
            DeletionSweep(tenant=world.tenant), world.uow(), world.linkedin, settings=get_settings()
        )
        == 1
    )
    (receipt,) = world.receipts("C-1")
    assert (
        receipt.state == ReceiptState.CONFIRMED
        and receipt.pending(world.store.keyring) == {}
        and receipt.pending_enc is None
    )
    assert world.remote_ids("applications") == set() and world.remote_ids("candidates") == set()


def _make_due(world: World, receipt_id: str) -> None:
    with world.uow() as uow:
        receipt = uow.deletion_receipts.get(receipt_id)
        assert receipt is not None
        receipt.next_attempt_at = receipt.not_before = utcnow() - timedelta(seconds=1)
        uow.commit()


def test_a_push_in_flight_when_the_candidate_is_erased_is_deleted_after_it_lands(world: World) -> None:
    """A sweep claimed and built the application, then the deletion ran, then the sweep's PUT landed."""
    world.deliver(world.candidate_event("C-1", PERSON, created=world.now()))
    world.sweep()
    world.deliver(world.application_event("A-1", "C-1", "Applied", 0))
    # The sweep: holds the tenant, claims the application and builds its body from the store...
    with world.uow() as uow:
        assert SweepLeases(uow.session, uow.tenant).acquire("sweep-1", timedelta(seconds=60))
        claimed = uow.outbox.claim(Resource.APPLICATION, lease=CLAIM_LEASE)
        bodies, _, _ = build_applications(uow, claimed, get_settings())
        uow.commit()
    assert set(bodies) == {"A-1"}
    # ...the deletion commits meanwhile: LinkedIn's deletes must wait for that push...
    outcome = world.delete_candidate("C-1")
    assert outcome.state is ReceiptState.PENDING
    (receipt,) = world.receipts("C-1")
    assert receipt.not_before > utcnow() + timedelta(seconds=30) and receipt.attempts == 0
    assert send_deletes(world.uow(), world.linkedin) == []
    # ...which lands now, late: the application is on LinkedIn again.
    send_applications(world.linkedin, bodies)
    with world.uow() as uow:
        uow.outbox.settle(Resource.APPLICATION, claimed)  # the record is gone: changes nothing
        SweepLeases(uow.session, uow.tenant).release("sweep-1")
        uow.commit()
    assert world.remote_ids("applications") == {"A-1"}
    world.sweep()  # no later sweep sends it again
    _make_due(world, receipt.id)
    (outcome,) = send_deletes(world.uow(), world.linkedin)
    assert outcome.state is ReceiptState.CONFIRMED
    assert world.remote_ids("applications") == set() and world.remote_ids("candidates") == set()


def test_a_record_waiting_for_another_is_not_a_push_in_flight(world: World) -> None:
    world.deliver(world.application_event("A-1", "C-1", "Applied", 0))
    world.sweep()  # the application waits for its candidate (its outbox row is held a few seconds)
    with world.uow() as uow:
        state = uow.outbox.state(Resource.APPLICATION, "A-1")
        assert state is not None and state.lease_until is not None
    assert world.delete_candidate("C-1").state is ReceiptState.CONFIRMED


def test_a_candidate_merged_from_a_linkedin_export_is_deleted_with_it(world: World) -> None:
    world.deliver(world.candidate_event("C-1", PERSON, created=world.now()))
    exported = world.deliver(world.export_event(member(world)))
    assert isinstance(exported, ExportResult)
    world.sweep()
    urn = member(world)["member"]
    merged = world.deliver(world.stub_event(urn, PERSON, phone="+44 161 496 0000"))
    assert isinstance(merged, StubResult) and merged.merged_into == "C-1"
    world.deliver(world.inmail_event(urn, "Would you like to talk about a navigator role?"))
    world.deliver(world.note_event(urn, "Wants to stay near the docks"))
    world.sweep()
    assert world.remote_ids("candidates") == {"C-1", exported.candidate_id}
    assert world.delete_candidate("C-1").state is ReceiptState.CONFIRMED
    assert delete_calls(world) == {"atsApplications": 1, "atsCandidates": 1}
    assert world.remote_ids("candidates") == set() and world.remote_ids("applications") == set()
    (receipt,) = world.receipts("C-1")
    roles = sorted(e["role"] for e in receipt.linkedin if e["resource"] == "atsCandidates")
    assert roles == ["candidate", "merged_candidate"]
    assert [e["key"] for e in receipt.linkedin if e["resource"] == "atsApplications"] == [
        exported.application_id
    ]
    for table in (
        "candidates",
        "candidate_merges",
        "inmail_messages",
        "mail_stubs",
        "prospect_notes",
        "members",
    ):
        assert receipt.store_rows[table] >= 1, table
    found = find_values(
        world.store,
        {
            urn,
            PERSON["email"],
            PERSON["phone"],
            "+44 161 496 0000",
            PERSON["street"],
            "near the docks",
            "navigator",
        },
    )
    assert found == {}


def test_other_candidates_forget_the_erased_member_in_their_match_rows(world: World) -> None:
    world.deliver(world.export_event(member(world)))
    world.deliver(
        world.candidate_event("C-2", {**PERSON, "email": "someone.else@example.org"}, created=world.now())
    )
    urn = member(world)["member"]
    with world.uow() as uow:
        row = uow.candidate_matches.get_or_add("C-2")
        row.status, row.member_urn, row.score = "review", None, 0.7
        row.considered = [{"member": urn, "score": 0.7, "reason": "name_company", "evidence": []}]
        row.linkedin_matches = [urn]
        uow.candidate_matches.record(
            "C-2", HistoryAction.AUTO_LINK, person_urn=urn, previous_urn=None, actor="matcher"
        )
        uow.commit()
        exported = uow.candidates.by_person_urn(urn)
        assert exported is not None
        exported_id = exported.id
    world.delete_candidate(exported_id)
    assert find_values(world.store, {urn}) == {}
    with world.uow() as uow:
        scrubbed = uow.candidate_matches.get("C-2")
        assert scrubbed is not None and scrubbed.considered == [] and scrubbed.linkedin_matches == []
        assert [h.action for h in uow.candidate_matches.history("C-2")] == ["auto_link"]


def test_a_candidate_the_store_never_had_still_gets_its_linkedin_delete_and_a_receipt(world: World) -> None:
    outcome = world.delete_candidate("C-404")
    assert outcome.state is ReceiptState.CONFIRMED
    (receipt,) = world.receipts("C-404")
    assert receipt.store_rows == {}
    assert [(e["role"], e["outcome"]) for e in receipt.linkedin] == [("candidate", "not_held")]


def test_a_deletion_sweep_takes_no_receipt_after_its_share_of_the_time_limit(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Full batches follow one another within the budget; past it the sweep stops after its first
    batch, whose receipts were tried: the rest is due at the next sweep."""
    calls: list[int] = []

    def full_batches(uow: object, linkedin: object, *, limit: int) -> list[object]:
        calls.append(limit)
        time.sleep(0.005)  # a batch's calls take longer than the short limit's budget (0.375 ms)
        return [object()] * (limit if len(calls) < 3 else 1)

    monkeypatch.setattr(handlers, "send_deletes", full_batches)
    sweep = DeletionSweep(tenant=world.tenant)
    assert (
        handle_deletion_sweep(sweep, world.uow(), world.linkedin, settings=get_settings())
        == 2 * SWEEP_RECEIPTS + 1
    )
    assert calls == [SWEEP_RECEIPTS] * 3
    calls.clear()
    short = get_settings().model_copy(update={"time_limit_ms": 1})
    assert handle_deletion_sweep(sweep, world.uow(), world.linkedin, settings=short) == SWEEP_RECEIPTS
    assert calls == [SWEEP_RECEIPTS]
