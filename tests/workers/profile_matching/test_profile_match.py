"""Profile matching handlers on both stores: candidate events, member sweeps, bulk runs, manual decisions."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event as sa_event

from matching.matcher import MatchStatus
from rsc.errors import is_transient
from rsc.settings import get_settings
from schemas.ats import CandidateCreated, CandidateSnapshot, CandidateUpdated
from schemas.commands import MembersChanged
from store.db import Store
from store.erasure import erase_candidate
from store.linkedin_sync import Resource
from store.match_keys import Side, digest
from store.members import MemberObservation, MemberSource
from store.uow import UnitOfWork
from tests.helpers import wait_for_lock_waiter
from workers.profile_matching.bulk import match_tenant
from workers.profile_matching.matching import (
    CandidateNotStoredYet,
    handle_candidate_changed,
    handle_members_changed,
)
from workers.profile_matching.member_links import link_manually, unlink_manually
from workers.profile_matching.profile_view import LinkSource, Standing, profile_view, review_list

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
ADA = "urn:li:person:ada"
AUGUSTA = "urn:li:person:augusta"


def snapshot(candidate_id: str = "C1", seconds: int = 0, **fields: Any) -> CandidateSnapshot:
    values: dict[str, Any] = {"first_name": "Ada", "last_name": "Lovelace", **fields}
    return CandidateSnapshot(
        candidate_id=candidate_id, created_at=T0, modified_at=T0 + timedelta(seconds=seconds), **values
    )


def event(data: CandidateSnapshot, event_id: str = "e1", *, created: bool = True) -> CandidateCreated:
    cls: Any = CandidateCreated if created else CandidateUpdated
    return cls(
        type="ats.candidate.created.v1" if created else "ats.candidate.updated.v1",
        id=event_id,
        source="ats://acme",
        tenant="acme",
        data=data,
    )


def store_candidate(store: Store, data: CandidateSnapshot) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.candidates.apply(data)
        uow.commit()


def observe(store: Store, urn: str, at: datetime = T0, **fields: Any) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.members.observe(MemberObservation(urn, MemberSource.INMAIL_STUB, at, **fields))
        uow.commit()


def sweep(store: Store) -> None:
    handle_members_changed(MembersChanged(tenant="acme"), UnitOfWork("acme", store))


def view(store: Store, candidate_id: str = "C1") -> Any:
    with UnitOfWork("acme", store) as uow:
        return profile_view(uow, candidate_id)


def history(store: Store, candidate_id: str = "C1") -> list[tuple[str, str | None, str]]:
    return [(h.action, h.person_urn, h.actor) for h in view(store, candidate_id).history]


def test_a_candidate_event_waits_for_the_store_then_links_by_e_mail(store: Store) -> None:
    observe(store, ADA, first_name="Ada", last_name="Lovelace", emails=["ada@example.com"])
    sweep(store)
    data = snapshot(emails=["ADA@example.com"])
    with pytest.raises(CandidateNotStoredYet) as raised:
        handle_candidate_changed(event(data), UnitOfWork("acme", store))
    assert is_transient(raised.value)
    assert "C1" in str(raised.value) and "ada@" not in str(raised.value).lower()
    store_candidate(store, data)
    result = handle_candidate_changed(event(data), UnitOfWork("acme", store))
    assert result is not None and (result.status, result.member_id) == (MatchStatus.LINKED, ADA)
    shown = view(store)
    assert (shown.standing, shown.link_source, shown.link.person_urn) == (
        Standing.LINKED,
        LinkSource.AUTOMATIC,
        ADA,
    )
    assert shown.link.reason == "email" and "email" in shown.link.evidence
    # Redelivered: nothing to do, nothing recorded twice.
    assert handle_candidate_changed(event(data), UnitOfWork("acme", store)) is None
    assert history(store) == [("auto_link", ADA, "matcher")]
    with UnitOfWork("acme", store) as uow:
        # An automatic link is not a manual match: nothing for LinkedIn, person_urn untouched.
        assert uow.outbox.dirty_count(Resource.CANDIDATE_MEMBER) == 0
        candidate = uow.candidates.get("C1")
        assert candidate is not None and candidate.person_urn is None


def test_a_late_event_matches_the_newest_stored_state(store: Store) -> None:
    observe(store, ADA, first_name="Ada", last_name="Lovelace", emails=["ada@example.com"])
    sweep(store)
    store_candidate(store, snapshot(seconds=20, emails=["ada@example.com"]))
    old = snapshot(seconds=10, emails=[])
    result = handle_candidate_changed(event(old, "old", created=False), UnitOfWork("acme", store))
    assert result is not None and result.member_id == ADA


def test_a_member_learned_later_links_the_candidates_it_concerns(store: Store) -> None:
    data = snapshot(phones=[{"number": "+44 20 7946 0000"}])
    store_candidate(store, data)
    handle_candidate_changed(event(data), UnitOfWork("acme", store))
    assert view(store).standing is Standing.UNMATCHED
    observe(store, ADA, first_name="Ada", last_name="Lovelace", phones=["020 7946 0000"])
    sweep(store)
    shown = view(store)
    assert (shown.standing, shown.link.person_urn, shown.link.reason) == (Standing.LINKED, ADA, "name_phone")
    # The member's surname changes on LinkedIn: a shared phone under another name is only a doubt.
    observe(store, ADA, T0 + timedelta(days=1), last_name="Byron")
    sweep(store)
    shown = view(store)
    assert (shown.standing, shown.review_reason) == (Standing.REVIEW, "weak_evidence")
    assert shown.considered[0].reason == "identifier_name_differs"
    assert [a for a, _, _ in history(store)] == ["auto_link", "auto_unlink"]


def test_two_likely_members_put_the_candidate_on_the_review_list(store: Store) -> None:
    for urn in (ADA, AUGUSTA):
        observe(store, urn, first_name="Ada", last_name="Lovelace", companies=["Engines"], title="Analyst")
    data = snapshot(current_company="Engines Ltd", current_title="analyst")
    store_candidate(store, data)
    report = match_tenant(store, "acme")
    assert report.by_status == {"review": 1}
    with UnitOfWork("acme", store) as uow:
        (item,) = review_list(uow)
    assert item.candidate_id == "C1" and item.review_reason == "ambiguous"
    assert {m.person_urn for m in item.considered} == {ADA, AUGUSTA}
    assert all(m.reason == "name_company_title" for m in item.considered)
    link_manually(UnitOfWork("acme", store), "C1", AUGUSTA, "alice")
    with UnitOfWork("acme", store) as uow:
        assert review_list(uow) == []


def _every_automatic_run(store: Store, data: CandidateSnapshot) -> None:
    """A candidate event, a member change with its sweep, and bulk runs."""
    newer = snapshot(seconds=30, emails=["ada@example.com"], current_company=data.current_company)
    store_candidate(store, newer)
    handle_candidate_changed(event(newer, "e-later", created=False), UnitOfWork("acme", store))
    observe(store, ADA, T0 + timedelta(days=2), phones=["+44 20 7946 0000"], title="Lead Analyst")
    sweep(store)
    match_tenant(store, "acme")
    match_tenant(store, "acme", batch=1)


def test_a_manual_link_survives_every_later_automatic_run(store: Store) -> None:
    observe(store, ADA, first_name="Ada", last_name="Lovelace", emails=["ada@example.com"])
    data = snapshot(emails=["ada@example.com"])
    store_candidate(store, data)
    match_tenant(store, "acme")
    assert view(store).link.person_urn == ADA
    # A person knows better: the candidate is Augusta's profile.
    change = link_manually(UnitOfWork("acme", store), "C1", AUGUSTA, "alice")
    assert (change.previous_urn, change.person_urn) == (ADA, AUGUSTA)
    _every_automatic_run(store, data)
    shown = view(store)
    assert (shown.standing, shown.link_source, shown.link.person_urn) == (
        Standing.LINKED,
        LinkSource.MANUAL,
        AUGUSTA,
    )
    assert shown.decided_by == "alice"
    assert history(store) == [("auto_link", ADA, "matcher"), ("link", AUGUSTA, "alice")]
    with UnitOfWork("acme", store) as uow:
        candidate = uow.candidates.get("C1")
        assert candidate is not None and candidate.person_urn == AUGUSTA
        state = uow.outbox.state(Resource.CANDIDATE_MEMBER, "C1")
        assert state is not None and state.version == 1  # only the person's change was marked


def test_a_manual_unlink_survives_every_later_automatic_run(store: Store) -> None:
    observe(store, ADA, first_name="Ada", last_name="Lovelace", emails=["ada@example.com"])
    data = snapshot(emails=["ada@example.com"])
    store_candidate(store, data)
    match_tenant(store, "acme")
    unlink_manually(UnitOfWork("acme", store), "C1", "bob")
    _every_automatic_run(store, data)
    shown = view(store)
    assert shown.standing is Standing.UNLINKED and shown.link is None
    # The matcher's opinion stays visible to a person, but is not what the candidate shows.
    assert shown.considered[0].person_urn == ADA
    assert history(store) == [("auto_link", ADA, "matcher"), ("unlink", None, "bob")]


def test_a_bulk_run_twice_changes_nothing_the_second_time(store: Store) -> None:
    observe(store, ADA, first_name="Ada", last_name="Lovelace", emails=["ada@example.com"])
    for n in range(5):
        store_candidate(store, snapshot(f"C{n}", emails=["ada@example.com"] if n == 0 else []))
    first = match_tenant(store, "acme", batch=2)
    assert (first.candidates, first.members, first.links_changed) == (5, 1, 1)
    assert first.by_status == {"linked": 1, "unmatched": 4}
    second = match_tenant(store, "acme", batch=2)
    assert second.links_changed == 0
    assert history(store, "C0") == [("auto_link", ADA, "matcher")]
    with UnitOfWork("acme", store) as uow:
        assert uow.members.due_count() == 0


def test_a_candidate_linked_by_an_export_stays_linked_to_its_member(store: Store) -> None:
    store_candidate(store, snapshot())
    with UnitOfWork("acme", store) as uow:
        candidate = uow.candidates.get("C1")
        assert candidate is not None
        candidate.person_urn = ADA
        uow.commit()
    observe(store, AUGUSTA, first_name="Ada", last_name="Lovelace", emails=["other@example.com"])
    match_tenant(store, "acme")
    shown = view(store)
    assert (shown.link.person_urn, shown.link_source, shown.link.reason) == (
        ADA,
        LinkSource.LINKEDIN,
        "person_urn",
    )


def test_an_inmail_stub_teaches_the_member_and_proposes_merging_the_ats_record_of_the_same_person(
    store: Store,
) -> None:
    from tests.workers.support import stub
    from workers.inmail_sync.handlers import handle_mail_stub

    data = snapshot("C-ats", first_name="Ada", last_name="Lovelace", emails=["ada.l@home.example"])
    store_candidate(store, data)
    handle_candidate_changed(event(data), UnitOfWork("acme", store))
    # The member shares a work address in an InMail reply: no merge (e-mails differ), a new candidate.
    handle_mail_stub(
        stub("M1", ADA, email="ada@engines.example", phone="+44 20 7946 0000"), UnitOfWork("acme", store)
    )
    with UnitOfWork("acme", store) as uow:
        member = uow.members.get(ADA)
        assert member is not None
        assert (member.emails, member.phones, member.sources) == (
            ["ada@engines.example"],
            ["+44 20 7946 0000"],
            ["inmail_stub"],
        )
        assert (member.companies, member.title) == (["Analytical Engines"], "Chief Analyst")
    # The ATS record gets the same phone later: the member sweep is not needed, the event is enough.
    newer = snapshot("C-ats", seconds=5, emails=["ada.l@home.example"], phones=[{"number": "020 7946 0000"}])
    store_candidate(store, newer)
    sweep(store)
    handle_candidate_changed(event(newer, "e2", created=False), UnitOfWork("acme", store))
    # The stub's candidate holds the member: the ATS record is not linked to it too, but proposed
    # for merging (their e-mail addresses differ, so the merge rule leaves it to a person).
    shown = view(store, "C-ats")
    assert (shown.standing, shown.link, shown.review_reason) == (Standing.REVIEW, None, "member_claimed")
    with UnitOfWork("acme", store) as uow:
        holder = uow.candidates.by_person_urn(ADA)
        (item,) = review_list(uow)
        assert holder is not None and (item.candidate_id, item.merge_with) == ("C-ats", holder.id)


def test_the_scheduler_asks_for_a_sweep_per_tenant_with_due_members_and_the_actor_runs_it(
    sqlite_url: str, rabbit: str
) -> None:
    from events.publisher import Publisher
    from store.db import get_store
    from tests.helpers import create_tenant, drain
    from workers import actors
    from workers.scheduler import Scheduler

    store = get_store()
    for tenant in ("acme", "globex", "hooli"):
        create_tenant(tenant, client_id=f"{tenant}-client")
        with UnitOfWork(tenant, store) as uow:
            uow.members.observe(MemberObservation(ADA, MemberSource.EXPORT, T0, first_name="Ada"))
            uow.commit()
    with UnitOfWork("hooli", store) as uow:  # a sweep holds its members: no second one
        uow.members.claim_due(10)
        uow.commit()
    Scheduler(Publisher(rabbit, settings=get_settings()), store, get_settings()).tick()
    messages = drain(rabbit, "profile_match")
    assert sorted(body["kwargs"]["tenant"] for body, _ in messages) == ["acme", "globex"]
    assert {body["actor_name"] for body, _ in messages} == {"match_members"}
    for body, _ in messages:
        actors.match_members.fn(*body["args"], **body["kwargs"])
    for tenant in ("acme", "globex"):
        with UnitOfWork(tenant, store) as uow:
            assert uow.members.due_count() == 0
            # Filed under its URN only: a first name alone is no key.
            assert uow.match_keys.digests_of(Side.MEMBER, ADA) == {digest(f"u|{ADA}")}


def test_a_match_and_an_erasure_of_the_same_candidate_take_turns_instead_of_deadlocking(
    store: Store,
) -> None:
    """The chaos suite saw it: a match had deleted the candidate's keys when an erasure locked the
    candidate and waited for those keys; the match's COPY of the new keys then waited for the
    candidate (its foreign-key check) and PostgreSQL killed one of the two as a deadlock."""
    if store.dialect != "postgresql":
        pytest.skip("SQLite serialises writers already (every transaction begins IMMEDIATE)")
    data = snapshot(emails=["ada@example.com"])
    store_candidate(store, data)
    handle_candidate_changed(event(data, "e0"), UnitOfWork("acme", store))  # its match row exists
    errors: list[BaseException] = []
    keys_deleted, erasure_started = threading.Event(), threading.Event()
    matcher_thread: list[threading.Thread] = []

    def pause_between_delete_and_copy(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if threading.current_thread() is matcher_thread[0] and statement.startswith(
            "DELETE FROM candidate_match_keys"
        ):
            keys_deleted.set()
            erasure_started.wait(10)
            # Given the erasure started while the match is between its delete and its COPY ...
            wait_for_lock_waiter(store, erasure[0], timeout=2)

    def run(work: Callable[[], object]) -> None:
        try:
            work()
        except BaseException as exc:
            errors.append(exc)

    def erase() -> None:
        with UnitOfWork("acme", store) as uow:
            erase_candidate(
                uow,
                "C1",
                deleted_at=T0 + timedelta(days=1),
                receipt_id="R-1",
                push_window=timedelta(minutes=1),
            )
            uow.commit()

    sa_event.listen(store.engine, "after_cursor_execute", pause_between_delete_and_copy)
    try:
        matcher = threading.Thread(
            target=run, args=(lambda: handle_candidate_changed(event(data), UnitOfWork("acme", store)),)
        )
        matcher_thread.append(matcher)
        erasure = [threading.Thread(target=run, args=(erase,))]
        matcher.start()
        assert keys_deleted.wait(10)
        erasure[0].start()
        erasure_started.set()
        matcher.join(30)
        erasure[0].join(30)
    finally:
        sa_event.remove(store.engine, "after_cursor_execute", pause_between_delete_and_copy)
    # ... then one waits for the other and both commit: no deadlock, nothing to retry.
    assert errors == []
    with UnitOfWork("acme", store) as uow:
        assert uow.candidates.get("C1") is None
        assert uow.match_keys.digests_of(Side.CANDIDATE, "C1") == set()
