"""A purge batch: candidates deleted on LinkedIn, jobs it holds posted again as closed (it has no delete
for postings), a job it never held not invented; on both stores, against the in-process sandbox."""

from __future__ import annotations

from collections import Counter

import pytest

from linkedin.client import LinkedInClient
from rsc.settings import get_settings
from store.db import Store
from store.linkedin_sync import Resource
from store.uow import UnitOfWork
from tests import ats_events as ats
from tests.fakes import FakePublisher
from tests.sandbox_harness import SandboxHarness
from tests.workers.historical_backfill.test_purge_jobs import sync
from tests.workers.integration_lifecycle.conftest import TENANT, apply, remote, status_change
from workers.historical_backfill.purge import purge_batch
from workers.integration_lifecycle.handlers import handle_status_changed, onboard


@pytest.fixture
def synced(
    store: Store,
    sandbox: SandboxHarness,
    linkedin: LinkedInClient,
    bulk: LinkedInClient,
    publisher: FakePublisher,
) -> Store:
    """J-1 and C-1 on LinkedIn; J-2 a draft LinkedIn never held."""
    onboard(UnitOfWork(TENANT, store), linkedin, publisher, settings=get_settings())
    apply(store, ats.job("J-1"), ats.job("J-2", state="draft"), ats.candidate("C-1"))
    handle_status_changed(status_change(sandbox, "ENABLED"), UnitOfWork(TENANT, store), linkedin, publisher)
    sync(store, linkedin, bulk, publisher)
    assert set(remote(sandbox, "jobs")) == {"J-1"} and set(remote(sandbox, "candidates")) == {"C-1"}
    return store


def test_a_batch_of_candidates_is_deleted_on_linkedin(
    synced: Store, sandbox: SandboxHarness, bulk: LinkedInClient
) -> None:
    counts = purge_batch(UnitOfWork(TENANT, synced), bulk, Resource.CANDIDATE, ["C-1", "C-9"])
    assert counts == Counter(sent=2, rejected=0)  # one LinkedIn does not hold counts as deleted
    assert remote(sandbox, "candidates") == {}


def test_a_batch_of_jobs_is_closed_and_a_job_linkedin_never_held_is_skipped(
    synced: Store, sandbox: SandboxHarness, bulk: LinkedInClient
) -> None:
    counts = purge_batch(UnitOfWork(TENANT, synced), bulk, Resource.JOB, ["J-1", "J-2"])
    assert counts == Counter(sent=1, rejected=0, skipped=1)
    assert {job_id: job["state"] for job_id, job in remote(sandbox, "jobs").items()} == {"J-1": "CLOSED"}
