"""`rsc match` as operators use it, against a store and the in-process LinkedIn sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from cli.match import app as match_app
from rsc.settings import get_settings
from schemas.ats import CandidateSnapshot
from store.db import get_store
from store.linkedin_sync import Resource
from store.members import MemberObservation, MemberSource
from store.uow import UnitOfWork
from tests.helpers import ORG, create_tenant
from tests.sandbox_harness import SandboxHarness, running_sandbox
from workers.runtime.wiring import linkedin_for, use_linkedin_clients
from workers.shared.linkedin_push import push_pending

runner = CliRunner()
T0 = datetime(2026, 5, 1, tzinfo=UTC)
ADA = "urn:li:person:ada"
TWIN = "urn:li:person:ada2"


@pytest.fixture
def sandbox(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHarness]:
    monkeypatch.setenv("RSC_LINKEDIN_API_URL", "http://testserver")
    with running_sandbox(tmp_path) as harness:
        harness.create_app("acme-client", "acme-secret", ORG)
        create_tenant("acme")
        use_linkedin_clients(harness.linkedin_clients())
        yield harness


def setup_data() -> None:
    """C1 matches Ada by e-mail; C2 could be either of two namesakes; both are on LinkedIn."""
    with UnitOfWork("acme", get_store()) as uow:
        uow.candidates.apply(
            CandidateSnapshot(
                candidate_id="C1", first_name="Ada", last_name="Lovelace", emails=["ada@example.com"],
                created_at=T0, modified_at=T0,
            )
        )  # fmt: skip
        uow.candidates.apply(
            CandidateSnapshot(
                candidate_id="C2", first_name="Grace", last_name="Hopper", current_company="Navy",
                current_title="Rear Admiral", created_at=T0, modified_at=T0,
            )
        )  # fmt: skip
        uow.members.observe(
            MemberObservation(
                ADA, MemberSource.INMAIL_STUB, T0, first_name="Ada", last_name="Lovelace",
                emails=["ada@example.com"], profile_url="https://www.linkedin.com/in/ada",
            )
        )  # fmt: skip
        for urn in ("urn:li:person:g1", "urn:li:person:g2"):
            uow.members.observe(
                MemberObservation(
                    urn, MemberSource.EXPORT, T0, first_name="Grace", last_name="Hopper",
                    companies=["Navy"], title="Rear Admiral",
                )
            )  # fmt: skip
        for candidate_id in ("C1", "C2"):
            uow.outbox.mark_changed(Resource.CANDIDATE, candidate_id)
        uow.commit()
    push_pending(
        UnitOfWork("acme", get_store()), linkedin_for("acme"), Resource.CANDIDATE, settings=get_settings()
    )


def test_run_review_show_link_and_unlink(sandbox: SandboxHarness) -> None:
    setup_data()
    run = runner.invoke(app, ["match", "run", "--tenant", "acme"])
    assert run.exit_code == 0, run.output
    assert "2" in run.output and "manual decisions were kept" in run.output

    show = runner.invoke(app, ["match", "show", "C1", "--tenant", "acme"])
    assert show.exit_code == 0, show.output
    assert "View Profile: https://www.linkedin.com/in/ada" in show.output
    assert "same e-mail address" in show.output

    review = runner.invoke(app, ["match", "review", "--tenant", "acme", "--json"])
    assert review.exit_code == 0, review.output
    (item,) = json.loads(review.stdout)
    assert item["candidate_id"] == "C2" and item["review_reason"] == "ambiguous"
    assert {m["person_urn"] for m in item["considered"]} == {"urn:li:person:g1", "urn:li:person:g2"}
    table = runner.invoke(app, ["match", "review", "--tenant", "acme"])
    assert "C2" in table.output and "ambiguous" in table.output

    link = runner.invoke(
        app, ["match", "link", "C2", "urn:li:person:g2", "--tenant", "acme", "--by", "alice"]
    )
    assert link.exit_code == 0, link.output
    assert "LinkedIn updated" in link.output
    assert sandbox.record(ORG, "candidates", "C2")["manualMatchedMember"] == "urn:li:person:g2"
    again = runner.invoke(
        app, ["match", "link", "C2", "urn:li:person:g2", "--tenant", "acme", "--by", "alice"]
    )
    assert "nothing changed" in again.output

    # The matcher runs again: the decision stands, and C2 is off the review list.
    assert runner.invoke(app, ["match", "run", "--tenant", "acme"]).exit_code == 0
    shown = json.loads(runner.invoke(app, ["match", "show", "C2", "--tenant", "acme", "--json"]).stdout)
    assert (
        shown["standing"] == "linked" and shown["link_source"] == "manual" and shown["decided_by"] == "alice"
    )
    assert json.loads(runner.invoke(app, ["match", "review", "--tenant", "acme", "--json"]).stdout) == []

    unlink = runner.invoke(app, ["match", "unlink", "C2", "--tenant", "acme", "--by", "bob", "--no-push"])
    assert unlink.exit_code == 0, unlink.output
    assert "outbox sweep" in unlink.output
    text = runner.invoke(app, ["match", "show", "C2", "--tenant", "acme"]).output
    assert "unlinked" in text and "by bob" in text
    assert (
        "link none -> urn:li:person:g2 by alice" in text and "unlink urn:li:person:g2 -> none by bob" in text
    )


def test_mistakes_are_refused_with_the_fix(sandbox: SandboxHarness) -> None:
    setup_data()
    unknown_tenant = runner.invoke(app, ["match", "show", "C1", "--tenant", "nope"])
    assert unknown_tenant.exit_code == 1 and "rsc tenant create" in unknown_tenant.output
    unknown = runner.invoke(app, ["match", "link", "C404", ADA, "--tenant", "acme", "--by", "a"])
    assert unknown.exit_code == 1 and "no candidate 'C404'" in unknown.output
    bad_urn = runner.invoke(app, ["match", "link", "C1", "ada", "--tenant", "acme", "--by", "a"])
    assert bad_urn.exit_code == 1 and "person URN" in bad_urn.output
    missing = runner.invoke(app, ["match", "show", "C404", "--tenant", "acme"])
    assert missing.exit_code == 1


def linkedin_candidate(last_name: str) -> None:
    """A candidate a 1-click export of Ada made, holding the member as LinkedIn named it."""
    from store.candidates import Candidate, CandidateOrigin
    from store.member_claims import ClaimKind

    with UnitOfWork("acme", get_store()) as uow:
        uow.candidates.add(
            Candidate(
                id="li-1", origin=CandidateOrigin.LINKEDIN_EXPORT.value, first_name="Ada",
                last_name=last_name, person_urn=ADA, emails=[], phones=[], addresses=[],
                current_companies=[], created_at=T0, modified_at=T0, source_modified_ms=0,
                source_revision=0,
            )
        )  # fmt: skip
        uow.member_claims.claim(ADA, "li-1", ClaimKind.LINKEDIN)
        uow.commit()


def test_a_member_held_by_an_export_is_a_merge_proposal_for_review_that_a_manual_link_resolves(
    sandbox: SandboxHarness,
) -> None:
    setup_data()
    linkedin_candidate("Byron")  # the name she was exported under differs: no merge on its own
    assert runner.invoke(app, ["match", "run", "--tenant", "acme"]).exit_code == 0

    shown = json.loads(runner.invoke(app, ["match", "show", "C1", "--tenant", "acme", "--json"]).stdout)
    assert (shown["standing"], shown["link"], shown["review_reason"]) == ("review", None, "member_claimed")
    review = json.loads(runner.invoke(app, ["match", "review", "--tenant", "acme", "--json"]).stdout)
    proposal = next(item for item in review if item["candidate_id"] == "C1")
    assert (proposal["merge_with"], proposal["member"], proposal["review_reason"]) == (
        "li-1",
        ADA,
        "member_claimed",
    )
    table = runner.invoke(app, ["match", "review", "--tenant", "acme"])
    assert "merge with li-1?" in table.output

    # Before, the link was refused: the export's candidate held the member.
    link = runner.invoke(app, ["match", "link", "C1", ADA, "--tenant", "acme", "--by", "alice", "--no-push"])
    assert link.exit_code == 0, link.output
    review = json.loads(runner.invoke(app, ["match", "review", "--tenant", "acme", "--json"]).stdout)
    assert [item["candidate_id"] for item in review] == ["C2"]
    with UnitOfWork("acme", get_store()) as uow:
        claim = uow.member_claims.holder(ADA)
        assert claim is not None and (claim.candidate_id, claim.kind) == ("C1", "manual")
        merged = uow.merges.active_from("li-1")
        assert merged is not None and merged.target_candidate_id == "C1"
    # The matcher runs again: the person's decision stands and nothing returns to the review list.
    assert runner.invoke(app, ["match", "run", "--tenant", "acme"]).exit_code == 0
    shown = json.loads(runner.invoke(app, ["match", "show", "C1", "--tenant", "acme", "--json"]).stdout)
    assert (shown["standing"], shown["link_source"], shown["link"]["person_urn"]) == ("linked", "manual", ADA)


def test_the_merge_rule_joins_a_matched_record_and_the_exports_candidate_of_the_same_last_name_and_e_mail(
    sandbox: SandboxHarness,
) -> None:
    setup_data()  # Ada shared ada@example.com in an InMail stub; C1 has it too
    linkedin_candidate("Lovelace")
    assert runner.invoke(app, ["match", "run", "--tenant", "acme"]).exit_code == 0
    review = json.loads(runner.invoke(app, ["match", "review", "--tenant", "acme", "--json"]).stdout)
    assert [item["candidate_id"] for item in review] == ["C2"]
    shown = json.loads(runner.invoke(app, ["match", "show", "C1", "--tenant", "acme", "--json"]).stdout)
    assert (shown["standing"], shown["link_source"], shown["link"]["person_urn"]) == (
        "linked",
        "linkedin",
        ADA,
    )
    with UnitOfWork("acme", get_store()) as uow:
        claim = uow.member_claims.holder(ADA)
        assert claim is not None and (claim.candidate_id, claim.kind) == ("C1", "linkedin")
        made = uow.candidates.get("li-1")
        assert made is not None and made.person_urn is None


def test_the_review_list_of_a_tenant_without_candidates_is_empty(sqlite_url: str) -> None:
    create_tenant("acme")
    result = runner.invoke(match_app, ["review", "--tenant", "acme", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []
