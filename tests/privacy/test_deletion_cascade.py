"""The deletion cascade against the in-process LinkedIn sandbox and both stores."""

from __future__ import annotations

from typing import Any

from store.deletion_receipts import ReceiptState
from tests.privacy.support import World

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
            counts[row["resource"]] = counts.get(row["resource"], 0) + row["calls"]
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
    from workers.deletion_cascade import handle_candidate_deleted

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
    handle_candidate_deleted(event, world.uow(), world.linkedin)
    handle_candidate_deleted(event, world.uow(), world.linkedin)  # redelivered: nothing more is erased
    assert erased() == before + 1
