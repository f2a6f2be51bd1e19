"""The log as on-call reads it: every line of every process one JSON object, ids searchable, and no
personal value, even of candidates named like the parts of ids and log keys ("Ada", "Run", "Dup")."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from events.publisher import Publisher
from rsc.settings import get_settings
from schemas.catalog import parse_event
from store.db import get_store
from store.uow import OpsUnitOfWork, UnitOfWork
from tests.e2e.pipeline import Pipeline
from tests.e2e.scenario import onboard, publish_raw
from tests.waiting import eventually

ORG = "urn:li:organization:77"
TENANT = "acme"
#: (candidate id, first name, last name, e-mail): names that are also parts of ids and log keys.
PEOPLE = [
    ("ada-17", "Ada", "Lovelace", "ada.lovelace@example.com"),
    ("run-1", "Run", "Runcorn", "run@example.com"),
    ("dup-1", "Dup", "Duplessis", "dup@example.com"),
]
PERSONAL = {value for person in PEOPLE for value in person[1:]} | {"+44 20 7946 0958"}


def _event(event_type: str, event_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": event_type, "id": event_id, "source": "ats://e2e", "tenant": TENANT, "data": data}


def _stands_alone(value: str, text: str) -> bool:
    """``value`` as a token of its own in ``text`` (not inside an id such as ``dup-1`` or ``ada-17``)."""
    return re.search(rf"(?<![\w\-:./@#]){re.escape(value)}(?![\w\-:./@#])", text, re.IGNORECASE) is not None


def test_every_line_is_json_ids_are_intact_and_no_personal_value_is_logged(
    pipeline: Pipeline, rabbit: str
) -> None:
    onboard(pipeline, TENANT, org=ORG)
    pipeline.start_workers("worker", threads=4)
    now = datetime.now(UTC).isoformat()
    publisher = Publisher(rabbit, settings=get_settings())
    for candidate_id, first, last, email in PEOPLE:
        data = {"candidate_id": candidate_id, "first_name": first, "last_name": last,
                "emails": [email], "phones": [{"number": "+44 20 7946 0958"}],
                "created_at": now, "modified_at": now}  # fmt: skip
        # The event's id is the candidate's: "dup-1" must stay searchable in the log.
        publisher.publish(parse_event(_event("ats.candidate.created.v1", candidate_id, data)))
    # A poison message carrying personal data, dead-lettered with its reason.
    poison = _event("ats.candidate.updated.v1", "dup-2", {"candidate_id": "dup-1", "first_name": "Dup",
                                                          "emails": ["Duplessis at home"]})  # fmt: skip
    publish_raw(rabbit, "status_push", "apply_candidate_event", poison, "5e3b-ada-dup-run")

    def stored() -> bool:
        with UnitOfWork(TENANT, get_store()) as uow:
            return all(uow.candidates.get(p[0]) is not None for p in PEOPLE)

    eventually(stored, timeout=60, what="the candidates to be stored")

    def dead_lettered() -> bool:
        with OpsUnitOfWork(get_store()) as ops:
            return ops.dead_letters.get("5e3b-ada-dup-run") is not None

    eventually(dead_lettered, timeout=60, what="the poison message to be dead-lettered")
    listed = pipeline.rsc("dlq", "list")
    pipeline.stop()

    lines = [line for line in pipeline.log_text().splitlines() if line.strip()]
    assert len(lines) > 10, "the pipeline logged too little for this check to mean anything"
    not_json = [line for line in lines if not line.startswith("{")]
    assert not_json == [], not_json[:5]
    records = [json.loads(line) for line in lines]
    assert not [value for value in PERSONAL if any(_stands_alone(value, line) for line in lines)]
    # The runbook searches the worker log by message id and event id: both are there, whole.
    (dead,) = [r for r in records if r.get("message_id") == "5e3b-ada-dup-run" and r["event"] ==
               "message dead-lettered"]  # fmt: skip
    assert (dead["event_id"], dead["reason"]) == ("dup-2", "schema_violation")
    assert {"ada-17", "run-1", "dup-1"} <= {r.get("event_id") for r in records}
    assert listed.returncode == 0, listed.stderr
    assert not any(_stands_alone(value, listed.stdout + listed.stderr) for value in PERSONAL)
