"""Each bad input an upstream team can send, published as they would, ends in an outcome someone can
see: a dead letter with its reason, a refusal in the record's ledger with LinkedIn's reason or the
rule it breaks and a warning line, a wait that becomes a sync problem, and is still applied once what
it waited for arrives."""

from __future__ import annotations

import json
from typing import Any

import pytest

from events.publisher import Publisher
from rsc.settings import get_settings
from schemas.catalog import EventTooLarge
from tests import ats_events as ats
from tests.e2e.pipeline import Pipeline, eventually
from tests.e2e.scenario import dead_letters, onboard, publish_raw
from tests.helpers import ORG


def ledger(pipeline: Pipeline, record_type: str, record_id: str) -> dict[str, Any]:
    shown = pipeline.rsc("sync", "show", record_type, record_id, "--tenant", "acme", "--json")
    if shown.returncode != 0:
        return {"entries": [], "problem": None}
    found: dict[str, Any] = json.loads(shown.stdout)
    return found


def steps(pipeline: Pipeline, record_type: str, record_id: str) -> list[str]:
    return [e["step"] for e in ledger(pipeline, record_type, record_id)["entries"]]


@pytest.mark.sandbox_violations("field.")
def test_each_bad_input_has_a_visible_outcome(pipeline: Pipeline, rabbit: str) -> None:
    onboard(pipeline, "acme", org=ORG)
    pipeline.env["RSC_DEPENDENCY_WAIT_S"] = "3"
    pipeline.start_workers("worker", "status_push")
    publisher = Publisher(rabbit, settings=get_settings())
    publisher.publish_many(
        [
            ats.event("job.published", "no-description", {**_job("J-nodesc"), "description": None}, "acme"),
            ats.event(
                "job.published", "ftp-url", {**_job("J-ftp"), "apply_url": "ftp://jobs.example.com/1"}, "acme"
            ),
            ats.candidate("C-noname", first_name=None),
            ats.application("A-orphan", candidate_id="C-ok", job_id="J-late"),
            ats.candidate("C-ok"),
            ats.event("job.published", "nobody-1", _job("J-1"), "nobody"),
        ]
    )
    # A tenant that does not exist: dead-lettered at once, nothing stored.
    eventually(
        lambda: "nobody" in dead_letters().get("unknown_tenant", []), what="the unknown_tenant dead letter"
    )

    # Required by LinkedIn, optional in the ATS: refused before a call, with the rule and its fix.
    eventually(lambda: steps(pipeline, "job", "J-nodesc")[-1:] == ["refused"], what="the job's refusal")
    problem = ledger(pipeline, "job", "J-nodesc")["problem"]
    assert problem["reason_code"] == "missing_description"
    eventually(lambda: steps(pipeline, "candidate", "C-noname")[-1:] == ["refused"], what="the candidate's")

    # LinkedIn's own refusal: its reason shows in `rsc sync show`.
    eventually(lambda: steps(pipeline, "job", "J-ftp")[-1:] == ["refused"], what="LinkedIn's refusal")
    shown = pipeline.rsc("sync", "show", "job", "J-ftp", "--tenant", "acme")
    assert "LinkedIn refused the record (422): companyApplyUrl must be an http(s) URL" in shown.stdout

    # An application whose job does not come: waiting, then a problem after RSC_DEPENDENCY_WAIT_S.
    eventually(lambda: "overdue" in steps(pipeline, "application", "A-orphan"), what="the overdue wait")
    problems = pipeline.rsc("sync", "problems", "--tenant", "acme")
    assert "waiting waiting_for_job (1)" in problems.stdout and "A-orphan" in problems.stdout
    assert "refused missing_description (1)" in problems.stdout
    log = pipeline.log_text()
    warnings = [
        json.loads(line) for line in log.splitlines() if '"record refused"' in line or "too long" in line
    ]
    assert {(w["event"], w.get("record_id")) for w in warnings} >= {
        ("record refused", "J-nodesc"),
        ("record refused", "C-noname"),
        ("record refused", "J-ftp"),
        ("record waiting too long", "A-orphan"),
    }
    # ... and still applied when the job comes after all.
    publisher.publish(ats.event("job.published", "late-job", _job("J-late"), "acme"))
    eventually(lambda: steps(pipeline, "application", "A-orphan")[-1:] == ["pushed"], what="the late push")

    # Too large: refused at publish time, dead-lettered (event_too_large) if it gets past a publisher.
    big = ats.candidate("C-big", current_title="x" * (300 * 1024))
    with pytest.raises(EventTooLarge):
        publisher.publish(big)
    publish_raw(rabbit, "status_push", "apply_candidate_event", big.model_dump(mode="json"), "big-1")
    eventually(lambda: "event_too_large" in dead_letters(), what="the event_too_large dead letter")
    (entry,) = ledger(pipeline, "candidate", "C-big")["entries"]  # nothing stored, the death told
    assert (entry["step"], entry["reason_code"]) == ("dead_lettered", "event_too_large")
    assert "xxxx" not in json.dumps(entry)


def _job(job_id: str) -> dict[str, object]:
    return {
        "job_id": job_id,
        "title": "Engineer",
        "description": "Builds engines",
        "location": {"city": "Berlin", "country_code": "DE"},
        "state": "published",
        "created_at": ats.at(0),
        "modified_at": ats.at(0),
    }
