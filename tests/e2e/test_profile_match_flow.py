"""Profile matching end to end: ATS events and a LinkedIn export through separate worker processes,
the scheduler's member sweep, and manual links from the CLI reaching the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from events.publisher import Publisher
from rsc.settings import get_settings
from schemas.catalog import parse_event
from store.db import get_store
from store.uow import UnitOfWork
from tests.e2e.pipeline import Pipeline
from tests.e2e.scenario import dead_letters, export, onboard, publish_job
from tests.helpers import ORG
from tests.waiting import eventually
from workers.profile_matching.profile_view import profile_view

EXPORTED = "urn:li:person:m00001"
CORRECTED = "urn:li:person:m00002"


def publish_candidate(broker_url: str, candidate_id: str, second: int, **fields: Any) -> None:
    when = datetime(2026, 6, 1, 9, 0, second, tzinfo=UTC).isoformat()
    event = parse_event(
        {
            "type": "ats.candidate.created.v1" if second == 0 else "ats.candidate.updated.v1",
            "id": f"{candidate_id}-{second}",
            "source": "ats://e2e",
            "tenant": "acme",
            "data": {"candidate_id": candidate_id, "created_at": when, "modified_at": when, **fields},
        }
    )
    Publisher(broker_url, settings=get_settings()).publish(event)


def shown(candidate_id: str) -> Any:
    with UnitOfWork("acme", get_store()) as uow:
        return profile_view(uow, candidate_id)


def matched_event(event_id: str) -> bool:
    with UnitOfWork("acme", get_store()) as uow:
        return uow.inbox.seen("profile_match", "ats://e2e", event_id)


def remote_member(pipeline: Pipeline, candidate_id: str) -> Any:
    response = pipeline.http.get(f"{pipeline.sandbox_url}/_sandbox/orgs/{ORG}/candidates/{candidate_id}")
    return response.json().get("manualMatchedMember", "absent") if response.status_code == 200 else "absent"


def test_candidates_are_matched_across_processes_and_a_manual_link_sticks_and_reaches_linkedin(
    pipeline: Pipeline, rabbit: str
) -> None:
    client_id, _ = onboard(pipeline, "acme", org=ORG)
    pipeline.start_workers("worker", "profile_export", "status_push", "profile_match")
    publish_job(rabbit, "acme", "J-1")
    # The ATS's own record of the member exported below: same name, company and title.
    ats_record = {"first_name": "First1", "last_name": "Last1", "current_company": "Company 1"}
    publish_candidate(rabbit, "C-ats", 0, current_title="Engineer", **ats_record)
    eventually(
        lambda: (v := shown("C-ats")) is not None and v.standing.value == "unmatched", what="C-ats matched"
    )

    export(pipeline, client_id, "J-1", 1, wait=True)
    # The export's candidate holds the member: the ATS record is proposed for merging, not linked too.
    eventually(
        lambda: (v := shown("C-ats")).standing.value == "review" and v.review_reason == "member_claimed",
        timeout=60,
        what="the member sweep to propose merging the ATS record with the export's candidate",
    )
    assert shown("C-ats").link is None
    eventually(lambda: remote_member(pipeline, "C-ats") is None, what="LinkedIn to hold C-ats")

    # A person decides the ATS record is another member.
    done = pipeline.rsc("match", "link", "C-ats", CORRECTED, "--tenant", "acme", "--by", "ops")
    assert done.returncode == 0, done.stdout + done.stderr
    eventually(lambda: remote_member(pipeline, "C-ats") == CORRECTED, what="manualMatchedMember on LinkedIn")

    # The ATS changes the candidate: the matcher runs again and LinkedIn gets the whole record again.
    publish_candidate(rabbit, "C-ats", 30, current_title="Senior Engineer", **ats_record)
    eventually(lambda: matched_event("C-ats-30"), timeout=60, what="the matcher to handle the update")
    eventually(
        lambda: (
            (r := pipeline.control("GET", f"/orgs/{ORG}/candidates/C-ats")).get("currentJobTitle")
            == "Senior Engineer"
            and r
        ),
        timeout=60,
        what="the updated record on LinkedIn",
    )
    assert remote_member(pipeline, "C-ats") == CORRECTED
    final = shown("C-ats")
    assert (final.standing.value, final.link_source.value, final.link.person_urn) == (
        "linked",
        "manual",
        CORRECTED,
    )
    assert [(h.action, h.actor) for h in final.history] == [("link", "ops")]
    assert dead_letters() == {}
