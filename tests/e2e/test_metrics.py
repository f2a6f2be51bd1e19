"""The metrics endpoints, scraped as Prometheus would: a worker group of two processes, the scheduler
and the ingress, after traffic that touches every family the runbook lists."""

from __future__ import annotations

import re
from collections.abc import Iterable

from prometheus_client.parser import text_string_to_metric_families

from events.publisher import Publisher
from rsc.settings import get_settings
from schemas.ats import UserDeleted
from store.db import get_store
from tests.ats_events import at, candidate, event
from tests.e2e.pipeline import Pipeline
from tests.e2e.scenario import counts, export, onboard, publish_job
from tests.helpers import ORG
from tests.infra import free_port
from tests.waiting import eventually
from workers.prospect_polling.items import Asked, ItemKind
from workers.prospect_polling.pages import note_event, stub_event

#: Personal data in the traffic: no metric may carry it.
PERSONAL = ("Lovelace", "ada.lovelace@example.com", "First1", "a private note")

Samples = dict[str, list[tuple[dict[str, str], float]]]


def scrape(pipeline: Pipeline, url: str) -> tuple[str, Samples]:
    response = pipeline.http.get(url, timeout=5)
    assert response.status_code == 200, response.text
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return response.text, samples


def total(samples: Samples, name: str, **labels: str) -> float:
    return sum(
        value
        for found, value in samples.get(name, [])
        if all(found.get(key) == wanted for key, wanted in labels.items())
    )


def label_values(samples: Samples, names: Iterable[str]) -> set[str]:
    return {value for name in names for labels, _ in samples.get(name, []) for value in labels.values()}


def test_every_family_is_scraped_with_labels_that_carry_no_personal_data(
    pipeline: Pipeline, rabbit: str
) -> None:
    client_id, _ = onboard(pipeline, "acme", org=ORG)
    metrics_port = free_port()
    pipeline.start_workers(
        "worker",
        "profile_export",
        "status_push",
        "inmail_sync",
        "note_sync",
        processes=2,
        threads=2,
        env={"RSC_METRICS_PORT": str(metrics_port)},
    )
    worker_metrics = f"http://127.0.0.1:{metrics_port}"
    scheduler_metrics = f"http://127.0.0.1:{pipeline.env['RSC_METRICS_PORT']}"
    publisher = Publisher(rabbit, settings=get_settings())

    # Exports (one to a draft job: a dead letter) and the LinkedIn calls they make.
    publish_job(rabbit, "acme", "J-1")
    publish_job(rabbit, "acme", "J-draft", state="draft")
    eventually(lambda: _job_stored("J-1") and _job_stored("J-draft"), what="the jobs")
    export(pipeline, client_id, "J-1", 1)
    export(pipeline, client_id, "J-draft", 2)
    eventually(lambda: counts("acme")["exports"] == 1, what="the export")

    # A candidate the ATS has, then an InMail stub from the same person: a merge.
    publisher.publish(
        candidate("C-9", last_name="Lovelace", emails=["ada.lovelace@example.com"], first_name="Ada")
    )
    eventually(lambda: _candidate_stored("C-9"), what="the ATS candidate")
    stub = {
        "id": "stub-1",
        "contract": "urn:li:contract:10",
        "owners": ["urn:li:seat:501"],
        "member": "urn:li:person:m09999",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "emailAddress": "ada.lovelace@example.com",
        "created": 1_780_000_000_000,
    }
    # A note, then a user created and deleted: notes and deletions.
    note = {
        "id": "note-1",
        "contract": "urn:li:contract:10",
        "owner": "urn:li:seat:501",
        "member": "urn:li:person:m09999",
        "note": "a private note",
        "visibility": "PRIVATE",
        "created": 1_780_000_000_000,
        "lastModified": 1_780_000_000_000,
    }
    user = {
        "user_id": "U-1",
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace@acme.example",
        "created_at": at(0),
        "modified_at": at(0),
    }
    publisher.publish_many(
        [
            stub_event("acme", stub, Asked(ItemKind.MAIL_STUB, "urn:li:contract:10", ("urn:li:seat:501",))),
            note_event(
                "acme", note, Asked(ItemKind.PROSPECT_NOTE, "urn:li:contract:10", ("urn:li:seat:501",))
            ),
            event("user.created", "U-1@0", user),
            UserDeleted.model_validate(
                {
                    "type": "ats.user.deleted.v1",
                    "id": "U-1@deleted",
                    "source": "ats://tests",
                    "tenant": "acme",
                    "data": {"user_id": "U-1", "deleted_at": at(5)},
                }
            ),
        ]
    )
    publisher.close()

    def worker_samples() -> Samples | None:
        _, samples = scrape(pipeline, f"{worker_metrics}/metrics")
        wanted = (
            total(samples, "rsc_exports_total", outcome="created") >= 1
            and total(samples, "rsc_dead_letters_total", reason="job_not_published") >= 1
            and total(samples, "rsc_merges_total") >= 1
            and total(samples, "rsc_notes_total", outcome="stored") >= 1
            and total(samples, "rsc_deletions_total", kind="ats_user") >= 1
            and total(samples, "rsc_linkedin_calls_total") >= 1
        )
        return samples if wanted else None

    eventually(lambda: _answers(pipeline, worker_metrics), what="the worker group's metrics endpoint")
    samples = eventually(worker_samples, timeout=90, what="every worker family")
    assert samples is not None

    # Messages by queue and outcome, from both processes of the group.
    assert total(samples, "rsc_messages_total", queue="profile_export", outcome="processed") >= 1
    assert total(samples, "rsc_messages_total", queue="profile_export", outcome="dead_lettered") >= 1
    assert total(samples, "rsc_messages_total", queue="status_push", outcome="processed") >= 3
    assert total(samples, "rsc_message_duration_seconds_count", queue="profile_export") >= 2
    assert total(samples, "rsc_linkedin_calls_total", status="200") >= 1
    headroom = [value for _, value in samples["rsc_linkedin_rate_limit_headroom"]]
    assert headroom and all(0 <= value < 1 for value in headroom)
    assert {labels["budget"] for labels, _ in samples["rsc_linkedin_rate_limit_headroom"]} == {
        "records_per_minute",
        "calls_per_day",
    }

    # The scheduler: poll freshness of the note and stub just stored, dead letters waiting.
    def scheduler_samples() -> Samples | None:
        _, found = scrape(pipeline, f"{scheduler_metrics}/metrics")
        ready = (
            total(found, "rsc_linkedin_freshness_seconds_count") >= 1
            and total(found, "rsc_dead_letter_queue_messages", queue="profile_export") >= 1
        )
        return found if ready else None

    scheduler = eventually(scheduler_samples, timeout=60, what="the scheduler's metrics")
    assert scheduler is not None
    assert ({"queue": "status_push"}, 0.0) in scheduler["rsc_dead_letter_queue_messages"]

    # The ingress: pushes by outcome, on its own port.
    _, ingress = scrape(pipeline, f"{pipeline.ingress_url}/metrics")
    assert total(ingress, "rsc_ingress_pushes_total", outcome="accepted") >= 2

    # Probes next to the metrics.
    assert pipeline.http.get(f"{worker_metrics}/healthz").status_code == 200
    ready = pipeline.http.get(f"{worker_metrics}/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "worker_group": "ok", "broker": "ok", "database": "ok"}
    assert pipeline.http.get(f"{scheduler_metrics}/readyz").status_code == 200

    # Labels hold codes and names only.
    labels = set().union(*(label_values(scraped, scraped) for scraped in (samples, scheduler, ingress)))
    for personal in PERSONAL:
        assert not any(personal in value for value in labels), personal
    assert not any(re.search(r"@|urn:li:person", value) for value in labels)


def _answers(pipeline: Pipeline, url: str) -> bool:
    try:
        return pipeline.http.get(f"{url}/healthz", timeout=1).status_code == 200
    except Exception:
        return False


def _job_stored(job_id: str) -> bool:
    from store.uow import UnitOfWork

    with UnitOfWork("acme", get_store()) as uow:
        return uow.jobs.get(job_id) is not None


def _candidate_stored(candidate_id: str) -> bool:
    from store.uow import UnitOfWork

    with UnitOfWork("acme", get_store()) as uow:
        return uow.candidates.get(candidate_id) is not None
