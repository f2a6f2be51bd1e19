"""The chaos suite's oracle on small hand-made logs: it must say what the pipeline's rules say, or
the suite would compare the store with the wrong answer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.chaos.scenario import (
    T0,
    ChaosLog,
    ExportPush,
    ats,
    build_log,
    expected_state,
    follow_ups,
    linkedin,
    member_profile,
)


def at(seconds: int) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat()


def candidate(version: int, last_name: str, modified: int) -> Any:
    data = {
        "candidate_id": "C-1",
        "first_name": "Ada",
        "last_name": last_name,
        "emails": ["ada@example.com"],
        "created_at": at(0),
        "modified_at": at(modified),
    }
    return ats("candidate.updated" if version else "candidate.created", f"cand:C-1:{version}", data)


def application(step: int, status: str) -> Any:
    data = {
        "application_id": "A-1",
        "candidate_id": "C-1",
        "job_id": "J-1",
        "status": status,
        "created_at": at(0),
        "modified_at": at(10 + step),
        "revision": step,
        "transition": {"transition_id": f"A-1-t{step}", "status": status, "changed_at": at(10 + step)},
    }
    return ats("application.created" if step == 0 else "application.status_changed", f"app:A-1:{step}", data)


def inmail(event_id: str, member: str) -> Any:
    data = {
        "event_id": event_id,
        "thread": "urn:li:messagingThread:1",
        "viewer": "urn:li:seat:9000",
        "member": member,
        "created_ms": 1,
    }
    return linkedin("inmail.received", f"inmail:{event_id}", data)


def test_the_newest_snapshot_wins_and_every_transition_is_kept_whatever_the_log_order() -> None:
    log = ChaosLog(seed=1)
    log.log = [
        application(2, "Onsite"),
        candidate(1, "Byron", 5),
        application(0, "Applied"),
        candidate(0, "King", 1),
    ]
    log.log.append(application(1, "Reviewed"))
    want = expected_state(log, [], {})
    assert want.candidates == {"C-1": ("Ada", "Byron", ("ada@example.com",))}
    assert want.applications == {
        "A-1": ("C-1", "J-1", "Onsite", (("A-1-t0", "Applied"), ("A-1-t1", "Reviewed"), ("A-1-t2", "Onsite")))
    }
    assert want.inbox == {"status_push": 5, "profile_match": 2}


def test_a_deleted_candidate_takes_its_applications_and_notes_and_an_exported_one_its_member() -> None:
    log = ChaosLog(seed=1)
    profile = member_profile(1)
    log.members[profile["member"]] = profile
    push = ExportPush("push-1", "req-1", profile["member"], "J-1")
    log.exports[profile["member"]] = push
    note = ats(
        "candidate_note.created",
        "note:N-1:0",
        {"note_id": "N-1", "candidate_id": "C-1", "application_id": "A-1", "text": "Strong",
         "created_at": at(20), "modified_at": at(20)},
    )  # fmt: skip
    log.log = [
        candidate(0, "King", 1),
        application(0, "Applied"),
        note,
        push,
        inmail("E-1", profile["member"]),
    ]
    log.log.append(inmail("E-2", "urn:li:person:other"))
    log.log.append(
        ats("candidate.deleted", "candidate-deleted:C-1", {"candidate_id": "C-1", "deleted_at": at(99)})
    )
    log.deleted_export_members = [profile["member"]]
    exported = {profile["member"]: ("li-1", "li-app-1")}
    follow = follow_ups(log, exported)
    want = expected_state(log, follow, exported)
    assert want.candidates == want.applications == want.notes == want.exported == {}
    assert want.deleted_candidates == {"C-1", "li-1"}
    assert want.erased_members == {profile["member"]}
    # The late InMail the follow-ups deliver about the erased member stays out too.
    assert want.inmails == {"E-2": "urn:li:person:other"}
    assert want.deletions == 2
    assert want.inbox["ingress"] == want.inbox["profile_export"] == 1


def test_a_seed_gives_the_same_log_and_another_seed_another() -> None:
    def ids(log: ChaosLog) -> list[str]:
        return [getattr(item, "id", None) or item.push_id for item in log.log]  # type: ignore[union-attr]

    assert ids(build_log(5, 1)) == ids(build_log(5, 1))
    assert ids(build_log(5, 1)) != ids(build_log(6, 1))
    assert 900 <= build_log(5, 1).unique <= 1100
