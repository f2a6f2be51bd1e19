"""The merge rule for LinkedIn data and its undo, on both stores: a candidate made from LinkedIn data
merges into the ATS candidate with its last name and e-mail, taking its applications and member over;
an unmerge puts everything back and the pairing is not merged again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rsc.errors import is_transient
from store.applications import Application
from store.base import to_ms
from store.candidates import Candidate, CandidateOrigin
from store.db import Store
from store.member_claims import ClaimKind
from store.uow import UnitOfWork
from tests.workers.support import TENANT, ats_candidate
from workers.shared.candidate_merge import NothingToUnmerge, merge, merge_target, name_key, seal, unmerge

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
ADA = "urn:li:person:ada"
EMAIL = "ada@example.com"


@pytest.fixture
def pair(store: Store) -> Store:
    """``li-1``, made from an export and holding member Ada with an application; ``C-1`` from the ATS."""
    ats_candidate(store, "C-1", "Lovelace", EMAIL)
    with UnitOfWork(TENANT, store) as uow:
        uow.candidates.add(
            Candidate(id="li-1", origin=CandidateOrigin.LINKEDIN_EXPORT.value, first_name="Ada",
                      last_name="Lovelace", person_urn=ADA, emails=[], phones=[], addresses=[],
                      created_at=T0, modified_at=T0, source_modified_ms=to_ms(T0), source_revision=0)
        )  # fmt: skip
        uow.applications.add(
            Application(id="A-1", candidate_id="li-1", job_id="J-1", status="New",
                        origin=CandidateOrigin.LINKEDIN_EXPORT.value, created_at=T0, modified_at=T0,
                        source_modified_ms=to_ms(T0), source_revision=0)
        )  # fmt: skip
        uow.session.flush()
        uow.member_claims.claim(ADA, "li-1", ClaimKind.LINKEDIN)
        uow.commit()
    return store


def test_names_are_compared_folded() -> None:
    # A full-width letter (U+FF4C) folds to its plain form.
    assert name_key(" LOVELACE ") == name_key("lovelace") == name_key("\uff4covelace")
    assert name_key(None) == ""


def test_the_target_shares_the_last_name_and_email_of_a_linkedin_candidate(pair: Store) -> None:
    with UnitOfWork(TENANT, pair) as uow:
        source, ats = uow.candidates.get("li-1"), uow.candidates.get("C-1")
        assert source is not None and ats is not None
        assert merge_target(uow, source, "Lovelace", EMAIL) is ats
        assert merge_target(uow, source, "Byron", EMAIL) is None
        assert merge_target(uow, source, "Lovelace", "other@example.com") is None
        assert merge_target(uow, ats, "Lovelace", EMAIL) is None  # an ATS candidate is never merged away


def test_a_merge_moves_applications_and_member_and_an_unmerge_puts_them_back(pair: Store) -> None:
    with UnitOfWork(TENANT, pair) as uow:
        source, target = uow.candidates.get("li-1"), uow.candidates.get("C-1")
        assert source is not None and target is not None
        record = merge(uow, source, target, cause="stub:s-1")
        seal(record, target)
        uow.commit()
    with UnitOfWork(TENANT, pair) as uow:
        assert [a.id for a in uow.applications.for_candidate("C-1")] == ["A-1"]
        assert uow.candidates.get("C-1").person_urn == ADA  # type: ignore[union-attr]
        assert uow.candidates.get("li-1").person_urn is None  # type: ignore[union-attr]
        assert uow.member_claims.holder(ADA).candidate_id == "C-1"  # type: ignore[union-attr]
        assert unmerge(uow, "C-1").state == "undone"
        uow.commit()
    with UnitOfWork(TENANT, pair) as uow:
        assert [a.id for a in uow.applications.for_candidate("li-1")] == ["A-1"]
        assert uow.candidates.get("li-1").person_urn == ADA  # type: ignore[union-attr]
        assert uow.member_claims.holder(ADA).candidate_id == "li-1"  # type: ignore[union-attr]
        source = uow.candidates.get("li-1")
        assert source is not None
        assert merge_target(uow, source, "Lovelace", EMAIL) is None  # an operator undid this pairing


def test_a_candidate_without_a_merge_has_nothing_to_unmerge(pair: Store) -> None:
    with (
        UnitOfWork(TENANT, pair) as uow,
        pytest.raises(NothingToUnmerge, match="has no merge to undo") as refused,
    ):
        unmerge(uow, "C-1")
    assert not is_transient(refused.value)
