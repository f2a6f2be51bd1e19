"""Manual links against the in-process LinkedIn sandbox, on both stores: recorded, pushed, sticky."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from linkedin.client import LinkedInClient
from linkedin.versions import Family
from rsc.settings import get_settings
from schemas.ats import CandidateSnapshot
from store.db import Store
from store.linkedin_sync import Resource
from store.uow import UnitOfWork
from tests.helpers import ORG, create_tenant, linkedin_path
from tests.sandbox_harness import SandboxHarness, running_sandbox
from workers.profile_matching.bulk import match_tenant
from workers.profile_matching.matching import refresh_linkedin_matches
from workers.profile_matching.member_links import (
    CandidateNotFound,
    InvalidPersonUrn,
    MemberAlreadyLinked,
    MissingDecider,
    link_manually,
    push_link,
    unlink_manually,
)
from workers.profile_matching.profile_view import LinkSource, Standing, profile_view, review_list
from workers.shared.linkedin_push import push_pending
from workers.shared.outbox_sweep import sweep_outbox

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
ADA = "urn:li:person:ada"
GRACE = "urn:li:person:grace"


@pytest.fixture
def sandbox(tmp_path: Path, store: Store) -> Iterator[SandboxHarness]:
    create_tenant("acme")  # enabled: its records may reach LinkedIn
    with running_sandbox(tmp_path) as harness:
        harness.create_app("acme-client", "acme-secret", ORG)
        yield harness


@pytest.fixture
def linkedin(sandbox: SandboxHarness, monkeypatch: pytest.MonkeyPatch) -> LinkedInClient:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", "http://testserver")
    from rsc.settings import reset_settings

    reset_settings()
    return sandbox.linkedin("acme-client", "acme-secret", ORG)


def synced_candidate(store: Store, linkedin: LinkedInClient, candidate_id: str = "C1", **fields: Any) -> None:
    """A candidate from the ATS, already on LinkedIn (its whole-record PUT went out)."""
    values: dict[str, Any] = {"first_name": "Ada", "last_name": "Lovelace", **fields}
    with UnitOfWork("acme", store) as uow:
        uow.candidates.apply(
            CandidateSnapshot(candidate_id=candidate_id, created_at=T0, modified_at=T0, **values)
        )
        uow.outbox.mark_changed(Resource.CANDIDATE, candidate_id)
        uow.commit()
    report = push_pending(
        UnitOfWork("acme", store), linkedin, Resource.CANDIDATE, ids=[candidate_id], settings=get_settings()
    )
    assert report.synced == [candidate_id]


def member_link_calls(sandbox: SandboxHarness) -> list[dict[str, Any]]:
    """The manualMatchedMember patches LinkedIn received, in order."""
    calls = []
    for request in sandbox.control("GET", "/requests")["requests"]:
        if (
            request["method"] == "POST"
            and request["path"] == linkedin_path(Family.CANDIDATES)
            and request["status"] == 200
        ):
            (entity,) = json.loads(request["body"])["entities"].values()
            calls.append(entity["patch"])
    return calls


def remote_member(sandbox: SandboxHarness, candidate_id: str = "C1") -> Any:
    return sandbox.record(ORG, "candidates", candidate_id)["manualMatchedMember"]


def test_unlink_then_relink_is_recorded_and_pushed(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    synced_candidate(store, linkedin)
    assert remote_member(sandbox) is None

    link_manually(UnitOfWork("acme", store), "C1", ADA, "alice")
    assert push_link(UnitOfWork("acme", store), linkedin, "C1", settings=get_settings()) is not None
    assert remote_member(sandbox) == ADA

    unlink_manually(UnitOfWork("acme", store), "C1", "bob")
    push_link(UnitOfWork("acme", store), linkedin, "C1", settings=get_settings())
    assert remote_member(sandbox) is None

    link_manually(UnitOfWork("acme", store), "C1", ADA, "carol")
    push_link(UnitOfWork("acme", store), linkedin, "C1", settings=get_settings())
    assert remote_member(sandbox) == ADA

    assert member_link_calls(sandbox) == [
        {"$set": {"manualMatchedMember": ADA}},
        {"$delete": ["manualMatchedMember"]},
        {"$set": {"manualMatchedMember": ADA}},
    ]
    with UnitOfWork("acme", store) as uow:
        view = profile_view(uow, "C1")
        assert view is not None
        assert [(h.action, h.previous_urn, h.person_urn, h.actor) for h in view.history] == [
            ("link", None, ADA, "alice"),
            ("unlink", ADA, None, "bob"),
            ("link", None, ADA, "carol"),
        ]
        assert all(h.at is not None for h in view.history)
        assert (view.standing, view.link_source, view.decided_by) == (
            Standing.LINKED,
            LinkSource.MANUAL,
            "carol",
        )
        assert uow.outbox.dirty_count(Resource.CANDIDATE_MEMBER) == 0


def test_a_decision_made_while_linkedin_is_down_reaches_it_through_the_outbox_sweep(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    synced_candidate(store, linkedin)
    sandbox.faults(error_rate=1.0, path_prefix=linkedin_path(Family.CANDIDATES))
    link_manually(UnitOfWork("acme", store), "C1", ADA, "alice")
    assert push_link(UnitOfWork("acme", store), linkedin, "C1", settings=get_settings()) is None
    sandbox.faults(error_rate=0.0)
    report = sweep_outbox(UnitOfWork("acme", store), linkedin, grace=timedelta(0), settings=get_settings())
    assert report.sent["candidate_member"] == 1
    assert remote_member(sandbox) == ADA


def test_a_later_whole_record_put_keeps_the_manual_link_and_an_unlink_stays_unlinked(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    synced_candidate(store, linkedin)
    link_manually(UnitOfWork("acme", store), "C1", ADA, "alice")
    push_link(UnitOfWork("acme", store), linkedin, "C1", settings=get_settings())
    synced_candidate(store, linkedin)  # the ATS changes the candidate: LinkedIn's PUT replaces it
    assert remote_member(sandbox) == ADA
    unlink_manually(UnitOfWork("acme", store), "C1", "bob")
    push_link(UnitOfWork("acme", store), linkedin, "C1", settings=get_settings())
    synced_candidate(store, linkedin)
    assert remote_member(sandbox) is None


def test_an_automatic_match_is_not_sent_as_a_manual_match(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    synced_candidate(store, linkedin, emails=["ada@example.com"])
    with UnitOfWork("acme", store) as uow:
        from store.members import MemberObservation, MemberSource

        uow.members.observe(
            MemberObservation(ADA, MemberSource.INMAIL_STUB, T0, first_name="Ada", emails=["ada@example.com"])
        )
        uow.commit()
    match_tenant(store, "acme")
    sweep_outbox(UnitOfWork("acme", store), linkedin, grace=timedelta(0), settings=get_settings())
    with UnitOfWork("acme", store) as uow:
        view = profile_view(uow, "C1")
        assert view is not None and view.link_source is LinkSource.AUTOMATIC
    assert remote_member(sandbox) is None
    assert member_link_calls(sandbox) == []


def test_linkedins_own_matches_become_evidence(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    sandbox.control(
        "POST",
        "/scenario",
        json={
            "members": [
                {
                    "member": ADA,
                    "firstName": "Ada",
                    "lastName": "Lovelace",
                    "emailAddress": "ada@example.com",
                },
                {
                    "member": GRACE,
                    "firstName": "Grace",
                    "lastName": "Hopper",
                    "emailAddress": "grace@example.com",
                },
            ]
        },
    )
    synced_candidate(store, linkedin, "C1", emails=["ada@example.com"])
    synced_candidate(
        store, linkedin, "C2", first_name="Grace", last_name="Hopper", emails=["gh@elsewhere.com"]
    )
    report = match_tenant(store, "acme", linkedin=linkedin)
    assert report.linkedin_checked == 2
    with UnitOfWork("acme", store) as uow:
        member = uow.members.get(ADA)
        assert member is not None and member.sources == ["linkedin_match"]
        first = profile_view(uow, "C1")
        second = profile_view(uow, "C2")
    assert first is not None and second is not None and first.link is not None
    assert (first.standing, first.link.person_urn, first.link.reason) == (
        Standing.LINKED,
        ADA,
        "linkedin_match",
    )
    assert second.standing is Standing.UNMATCHED
    # Read again: nothing new, nothing changes.
    assert refresh_linkedin_matches(UnitOfWork("acme", store), linkedin, ["C1", "C2"]) == 0


def test_refused_decisions_name_the_thing_and_the_fix(store: Store, linkedin: LinkedInClient) -> None:
    synced_candidate(store, linkedin, "C1")
    synced_candidate(store, linkedin, "C2")
    with pytest.raises(CandidateNotFound, match=r"no candidate 'C404' in tenant 'acme'"):
        link_manually(UnitOfWork("acme", store), "C404", ADA, "alice")
    with pytest.raises(InvalidPersonUrn, match="person URN such as urn:li:person:"):
        link_manually(UnitOfWork("acme", store), "C1", "https://www.linkedin.com/in/ada", "alice")
    with pytest.raises(MissingDecider, match="say who decides"):
        unlink_manually(UnitOfWork("acme", store), "C1", "  ")
    link_manually(UnitOfWork("acme", store), "C1", ADA, "alice")
    with pytest.raises(MemberAlreadyLinked, match=r"linked to candidate 'C1'; unlink that candidate first"):
        link_manually(UnitOfWork("acme", store), "C2", ADA, "alice")
    # Deciding again what already stands records nothing and pushes nothing.
    assert not link_manually(UnitOfWork("acme", store), "C1", ADA, "bob").changed
    with UnitOfWork("acme", store) as uow:
        assert len(uow.candidate_matches.history("C1")) == 1
        assert uow.candidate_matches.history("C2") == []


def test_an_exported_member_puts_the_ats_record_of_the_same_person_up_for_merging_and_a_manual_link_merges(
    store: Store, sandbox: SandboxHarness, linkedin: LinkedInClient
) -> None:
    from schemas.ats import JobSnapshot
    from schemas.commands import MembersChanged
    from schemas.linkedin import ExportRequest, ExportRequested
    from workers.profile_export.handlers import handle_export_requested
    from workers.profile_matching.matching import handle_members_changed

    synced_candidate(
        store, linkedin, "C-ats", current_company="Analytical Engines Ltd", current_title="Sr. Analyst"
    )
    with UnitOfWork("acme", store) as uow:
        uow.jobs.apply(
            JobSnapshot(job_id="J-1", title="Analyst", state="published", created_at=T0, modified_at=T0)
        )
        uow.commit()
    exported = sandbox.export(
        "acme-client",
        "J-1",
        {
            "member": ADA,
            "firstName": "Ada",
            "lastName": "Lovelace",
            "location": "London, United Kingdom",
            "profileUrl": "https://www.linkedin.com/in/ada",
            "currentPositions": [{"companyName": "Analytical Engines", "title": "Senior Analyst"}],
        },
    )
    request = ExportRequest(request_id=exported["requestId"], push_id="p-1", notified_at=T0)
    result = handle_export_requested(
        ExportRequested(
            type="linkedin.export.requested.v1",
            id="p-1",
            source="linkedin://rsc/push",
            tenant="acme",
            data=request,
        ),
        UnitOfWork("acme", store),
        linkedin,
        settings=get_settings(),
    )
    assert result is not None
    with UnitOfWork("acme", store) as uow:
        member = uow.members.get(ADA)
        assert member is not None
        assert (member.profile_url, member.title, member.location) == (
            "https://www.linkedin.com/in/ada",
            "Senior Analyst",
            "London, United Kingdom",
        )
        # The candidate the export made holds no more than it did: the URL and title stay on the member.
        made = uow.candidates.get(result.candidate_id)
        assert made is not None and made.linkedin_profile_url is None and made.current_title is None
    match_tenant(store, "acme")  # files the ATS record under its keys
    handle_members_changed(MembersChanged(tenant="acme"), UnitOfWork("acme", store))
    with UnitOfWork("acme", store) as uow:
        ats_view = profile_view(uow, "C-ats")
        made_view = profile_view(uow, result.candidate_id)
    # The export's candidate holds the member: the ATS record is not linked to it a second time,
    # the pair waits on the review list (no e-mail to agree on, so the merge rule does not apply).
    assert ats_view is not None and ats_view.link is None
    assert (ats_view.standing, ats_view.review_reason) == (Standing.REVIEW, "member_claimed")
    assert made_view is not None and made_view.link_source is LinkSource.LINKEDIN
    with UnitOfWork("acme", store) as uow:
        (item,) = review_list(uow)
        assert (item.candidate_id, item.merge_with, item.member) == ("C-ats", result.candidate_id, ADA)
        assert item.considered[0].profile_url == "https://www.linkedin.com/in/ada"
    # A person decides: the ATS record is the member; the export's candidate folds into it.
    change = link_manually(UnitOfWork("acme", store), "C-ats", ADA, "alice")
    assert change.changed
    with UnitOfWork("acme", store) as uow:
        assert review_list(uow) == []
        linked = profile_view(uow, "C-ats")
        assert linked is not None and linked.link is not None and linked.link_source is LinkSource.MANUAL
        claim = uow.member_claims.holder(ADA)
        assert claim is not None and (claim.candidate_id, claim.kind) == ("C-ats", "manual")
        made = uow.candidates.get(result.candidate_id)
        assert made is not None and made.person_urn is None
        merged = uow.merges.active_from(result.candidate_id)
        assert merged is not None and merged.target_candidate_id == "C-ats"
        assert [a.id for a in uow.applications.for_candidate("C-ats")] == [result.application_id]


def test_a_hand_link_or_unlink_that_runs_into_a_concurrent_writer_runs_again_whole(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from workers.profile_matching import member_links

    with UnitOfWork("acme", store) as uow:
        uow.candidates.apply(
            CandidateSnapshot(candidate_id="C1", first_name="Ada", created_at=T0, modified_at=T0)
        )
        uow.commit()
    locked, calls = member_links._locked, []

    def deadlocked_once(uow: UnitOfWork, candidate_id: str) -> Any:
        calls.append(candidate_id)
        found = locked(uow, candidate_id)
        if len(calls) % 2 == 1:  # the first run of each decision, after it wrote part of it
            uow.candidate_matches.record(
                candidate_id, member_links.HistoryAction.LINK, person_urn=GRACE, previous_urn=None, actor="x"
            )
            raise OperationalError("UPDATE candidate_matches", {}, Exception("deadlock detected"))
        return found

    monkeypatch.setattr(member_links, "_locked", deadlocked_once)
    assert link_manually(UnitOfWork("acme", store), "C1", ADA, "recruiter@acme").changed
    assert unlink_manually(UnitOfWork("acme", store), "C1", "recruiter@acme").changed
    assert len(calls) == 4
    with UnitOfWork("acme", store) as uow:
        # What the failed runs wrote was rolled back: one link, one unlink.
        assert [(h.action, h.person_urn) for h in uow.candidate_matches.history("C1")] == [
            ("link", ADA),
            ("unlink", None),
        ]
    # A refusal is not a conflict: it is not run again.
    calls.clear()
    with pytest.raises(CandidateNotFound):
        link_manually(UnitOfWork("acme", store), "C-unknown", ADA, "recruiter@acme")
    assert calls == ["C-unknown"]
