"""Every candidate of a tenant matched at once (``rsc match run``), on members loaded once."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from linkedin.client import LinkedInClient
from matching.matcher import MemberIndex, match_against
from matching.profiles import blocking_keys, features
from rsc.errors import retried_while_transient
from rsc.logs import get_logger
from store.db import Store
from store.match_keys import Side
from store.repository import in_chunks
from store.uow import UnitOfWork
from workers.profile_matching.claims import claim_automatic
from workers.profile_matching.matching import (
    STATISTICS_EVERY,
    candidate_profile,
    member_profile,
    record_result,
    refresh_linkedin_matches,
    synced_candidate_ids,
)

log = get_logger(__name__)

#: Candidates written per transaction by a bulk run.
BULK_BATCH = 1000
#: Members whose keys a bulk run re-files per transaction.
MEMBER_BATCH = 5000
#: Times a page is tried when it runs into a concurrent worker (a deadlock, a unique-key race).
PAGE_ATTEMPTS = 5

Progress = Callable[[int], None]


@dataclass
class BulkReport:
    members: int = 0
    candidates: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    links_changed: int = 0
    linkedin_checked: int = 0
    seconds: float = 0.0


def match_tenant(
    store: Store,
    tenant: str,
    *,
    linkedin: LinkedInClient | None = None,
    batch: int = BULK_BATCH,
    progress: Progress | None = None,
) -> BulkReport:
    """Match every candidate of ``tenant`` against every member it knows, in memory.

    With ``linkedin``, LinkedIn's own matches of every synced candidate are read first. Candidates
    are written ``batch`` at a time, each batch in its own transaction, so a long run holds no
    lock for long and an interrupted run can simply be started again.
    """
    started = time.perf_counter()
    report = BulkReport()
    if linkedin is not None:
        report.linkedin_checked = _refresh_all_linkedin_matches(store, tenant, linkedin)
    index, due = _load_members(store, tenant)
    report.members = len(index)
    after = ""
    while True:
        page = _match_page_retrying(
            store, tenant, index, after, batch, refresh=(report.candidates // batch) % STATISTICS_EVERY == 0
        )
        if page.size == 0:
            break
        report.candidates += page.size
        report.links_changed += page.links_changed
        for status, count in page.by_status.items():
            report.by_status[status] = report.by_status.get(status, 0) + count
        after = page.last_id
        if progress is not None:
            progress(page.size)
    with UnitOfWork(tenant, store) as uow:
        uow.members.settle(due)
        uow.commit()
    report.seconds = time.perf_counter() - started
    log.info("tenant matched", tenant=tenant, count=report.candidates, duration_ms=int(report.seconds * 1000))
    return report


@dataclass
class PageReport:
    size: int = 0
    last_id: str = ""
    links_changed: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def _match_page_retrying(
    store: Store, tenant: str, index: MemberIndex, after: str, batch: int, *, refresh: bool
) -> PageReport:
    """``_match_page``, again when it ran into a concurrent worker (a deadlock, a unique-key race):
    a page is matched whole or not at all, so running it again is safe."""
    return retried_while_transient(
        lambda: _match_page(store, tenant, index, after, batch, refresh=refresh),
        attempts=PAGE_ATTEMPTS,
        what="page",
        tenant=tenant,
    )


def _match_page(
    store: Store, tenant: str, index: MemberIndex, after: str, batch: int, *, refresh: bool
) -> PageReport:
    """Match the ``batch`` candidates after ``after`` in one transaction."""
    report = PageReport()
    with UnitOfWork(tenant, store) as uow:
        page = uow.candidate_matches.candidates_after(after, batch)
        if not page:
            return report
        keys: dict[str, set[str]] = {}
        last_seqs = uow.candidate_matches.last_seqs([c.id for c, stored in page if stored is not None])
        held = uow.member_claims.of_candidates(c.id for c, _ in page)
        for candidate, stored in page:
            row = stored or uow.candidate_matches.add(candidate.id)
            mine = features(candidate_profile(candidate, row.linkedin_matches))
            keys[candidate.id] = blocking_keys(mine)
            found = match_against(mine, index.lookup(mine))
            result = claim_automatic(uow, candidate, row, found, held=held.get(candidate.id), held_known=True)
            report.links_changed += record_result(uow, row, result, last_seq=last_seqs.get(candidate.id, 0))
            report.by_status[result.status.value] = report.by_status.get(result.status.value, 0) + 1
        uow.match_keys.refile(Side.CANDIDATE, keys)
        if refresh:
            uow.match_keys.refresh_statistics()
        uow.commit()
    report.size, report.last_id = len(page), page[-1][0].id
    return report


def _load_members(store: Store, tenant: str) -> tuple[MemberIndex, dict[str, int]]:
    """Every member in an index; their keys re-filed; the versions of those that were due."""
    index = MemberIndex()
    due: dict[str, int] = {}
    pending: dict[str, set[str]] = {}
    with UnitOfWork(tenant, store) as uow:
        for member in uow.members.iter_all():
            mine = features(member_profile(member))
            index.add(mine)
            pending[member.person_urn] = blocking_keys(mine)
            if member.match_due_since is not None:
                due[member.person_urn] = member.version
    for n, urns in enumerate(in_chunks(pending, MEMBER_BATCH)):
        with UnitOfWork(tenant, store) as uow:
            uow.match_keys.refile(Side.MEMBER, {u: pending[u] for u in urns})
            if n % STATISTICS_EVERY == 0:
                uow.match_keys.refresh_statistics()
            uow.commit()
    with UnitOfWork(tenant, store) as uow:
        uow.match_keys.refresh_statistics()
        uow.commit()
    return index, due


def _refresh_all_linkedin_matches(store: Store, tenant: str, linkedin: LinkedInClient) -> int:
    after, checked = "", 0
    while True:
        with UnitOfWork(tenant, store) as uow:
            ids = synced_candidate_ids(uow, after, 1000)
        if not ids:
            return checked
        refresh_linkedin_matches(UnitOfWork(tenant, store), linkedin, ids, rematch=False)
        checked += len(ids)
        after = ids[-1]
