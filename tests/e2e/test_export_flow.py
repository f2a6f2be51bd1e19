"""1-click export end to end: sandbox push -> ingress -> RabbitMQ -> worker -> PostgreSQL -> sandbox."""

from __future__ import annotations

import random

from ingress.signature import sign
from store.db import get_store
from tests.e2e.pipeline import Pipeline
from tests.e2e.scenario import counts, dead_letters, export, onboard, publish_job, publish_raw, redeliver
from tests.helpers import ORG
from tests.waiting import eventually


def test_an_export_pushed_three_times_yields_one_candidate_and_one_application(
    pipeline: Pipeline, rabbit: str
) -> None:
    client_id, secret = onboard(pipeline, "acme", org=ORG)
    pipeline.start_workers("worker", "profile_export", "status_push")
    publish_job(rabbit, "acme", "J-1")
    eventually(lambda: _job_stored("acme", "J-1"), what="the job to be stored")

    created = export(pipeline, client_id, "J-1", 1, wait=True)
    assert created["push"]["state"] == "DELIVERED", created["push"]
    assert redeliver(pipeline, created["pushId"], secret, "acme") == 200
    assert redeliver(pipeline, created["pushId"], secret, "acme") == 200

    remote = eventually(
        lambda: _remote_candidates(pipeline), what="LinkedIn to hold the candidate with its member link"
    )
    (record,) = remote
    assert record["firstName"] == "First1"
    assert record["manualMatchedMember"] == "urn:li:person:m00001"
    assert counts("acme") == {"candidates": 1, "applications": 1, "exports": 1}
    assert dead_letters() == {}


def test_poison_inputs_are_dead_lettered_with_their_reason_while_valid_exports_flow(
    pipeline: Pipeline, rabbit: str
) -> None:
    acme_client, acme_secret = onboard(pipeline, "acme", org=ORG)
    # A tenant whose organization in the store is not the one its LinkedIn app belongs to.
    globex_client, _ = onboard(
        pipeline, "globex", org="urn:li:organization:7", app_org="urn:li:organization:8"
    )
    pipeline.start_workers("worker", "profile_export", "status_push")
    publish_job(rabbit, "acme", "J-1")
    publish_job(rabbit, "acme", "J-draft", state="draft")
    publish_job(rabbit, "globex", "J-1")
    eventually(lambda: _job_stored("acme", "J-draft") and _job_stored("globex", "J-1"), what="jobs stored")

    poison = [
        lambda: export(pipeline, acme_client, "J-draft", 900),
        lambda: export(pipeline, globex_client, "J-1", 901),
        lambda: publish_raw(
            rabbit, "profile_export", "export_profile", {"type": "ats.job.teleported.v1"}, "m-unknown"
        ),
        lambda: publish_raw(
            rabbit,
            "profile_export",
            "export_profile",
            {"type": "linkedin.export.requested.v1", "source": "x", "tenant": "acme", "data": {}},
            "m-schema",
        ),
        lambda: pipeline.http.post(
            f"{pipeline.ingress_url}/webhooks/linkedin/acme",
            content=b"{broken",
            headers={"X-LI-Signature": sign(acme_secret, b"{broken")},
        ),
        lambda: pipeline.http.post(
            f"{pipeline.ingress_url}/webhooks/linkedin/acme",
            content=b'{"type":"EXPORT_CANDIDATE_PROFILE","requestId":"r"}',
            headers={"X-LI-Signature": "hmacsha256=" + "0" * 64},
        ),
    ]
    valid = [lambda i=i: export(pipeline, acme_client, "J-1", i) for i in range(1, 21)]
    steps = poison + valid
    random.Random(4).shuffle(steps)
    for step in steps:
        step()

    eventually(lambda: counts("acme")["exports"] == 20, timeout=60, what="the 20 valid exports")
    eventually(lambda: len(dead_letters()) == 4, timeout=60, what="4 kinds of dead letters")
    letters = dead_letters()
    assert letters == {
        "job_not_published": ["acme"],
        "foreign_integration_context": ["globex"],
        "unknown_event_type": [None],
        "schema_violation": ["acme"],
    }
    assert counts("acme") == {"candidates": 20, "applications": 20, "exports": 20}
    assert counts("globex") == {"candidates": 0, "applications": 0, "exports": 0}
    assert _rejections() == {"malformed_body": 1, "bad_signature": 1}

    # The cause of one reason is fixed: the job is published. Replaying that reason imports the export.
    publish_job(rabbit, "acme", "J-draft", second=30)
    eventually(lambda: _job_published("acme", "J-draft"), what="J-draft published")
    replay = pipeline.rsc("dlq", "replay", "--queue", "profile_export", "--reason", "job_not_published")
    assert replay.returncode == 0, replay.stdout + replay.stderr
    eventually(lambda: counts("acme")["exports"] == 21, timeout=60, what="the replayed export")
    assert counts("acme") == {"candidates": 21, "applications": 21, "exports": 21}
    # Replaying again changes nothing: the dead letter is gone, the rest stay.
    again = pipeline.rsc("dlq", "replay", "--queue", "profile_export", "--reason", "job_not_published")
    assert again.returncode == 0, again.stdout + again.stderr
    remaining = pipeline.rsc("dlq", "list", "--queue", "profile_export")
    assert "job_not_published" not in remaining.stdout
    assert "foreign_integration_context" in remaining.stdout
    assert counts("acme") == {"candidates": 21, "applications": 21, "exports": 21}


def _job_stored(tenant: str, job_id: str) -> bool:
    from store.uow import UnitOfWork

    with UnitOfWork(tenant, get_store()) as uow:
        return uow.jobs.get(job_id) is not None


def _job_published(tenant: str, job_id: str) -> bool:
    from store.uow import UnitOfWork

    with UnitOfWork(tenant, get_store()) as uow:
        job = uow.jobs.get(job_id)
        return job is not None and job.is_published


def _remote_candidates(pipeline: Pipeline) -> list[dict[str, object]]:
    records = pipeline.control("GET", f"/orgs/{ORG}/candidates")["candidates"]
    return [r for r in records if r.get("manualMatchedMember")]


def _rejections() -> dict[str, int]:
    from store.uow import OpsUnitOfWork

    with OpsUnitOfWork(get_store()) as ops:
        out: dict[str, int] = {}
        for row in ops.rejections.list():
            out[row.reason_code] = out.get(row.reason_code, 0) + 1
        return out
