"""Members, blocking keys and candidate matches: the same contract on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from schemas.ats import CandidateSnapshot
from store.candidate_matches import CandidateMatch, Decision, HistoryAction, MatchHistory
from store.candidates import Candidate
from store.db import Store
from store.match_keys import CandidateKey, MemberKey, Side
from store.members import MemberObservation, MemberSource, tenants_with_due_members
from store.uow import UnitOfWork

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
URN = "urn:li:person:ada"


def seen(
    at: datetime, source: MemberSource = MemberSource.INMAIL_STUB, **fields: object
) -> MemberObservation:
    return MemberObservation(URN, source, at, **fields)  # type: ignore[arg-type]


def add_candidate(store: Store, candidate_id: str = "C1", tenant: str = "acme") -> None:
    with UnitOfWork(tenant, store) as uow:
        uow.candidates.apply(
            CandidateSnapshot(candidate_id=candidate_id, first_name="Ada", created_at=T0, modified_at=T0)
        )
        uow.commit()


def test_observations_merge_newer_over_older_in_any_order(store: Store) -> None:
    later = T0 + timedelta(days=30)
    with UnitOfWork("acme", store) as uow:
        assert uow.members.observe(
            seen(later, first_name="Ada", companies=["Engines Two"], title="Lead", emails=["new@x.com"])
        )
        # An older export arrives late: it fills what is missing, never what is newer.
        assert uow.members.observe(
            seen(
                T0,
                MemberSource.EXPORT,
                first_name="Augusta",
                last_name="Lovelace",
                companies=["Engines One"],
                title="Analyst",
                profile_url="https://www.linkedin.com/in/ada",
                emails=["old@x.com"],
            )
        )
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        member = uow.members.get(URN)
        assert member is not None
        assert (member.first_name, member.last_name) == ("Ada", "Lovelace")
        assert (member.companies, member.title) == (["Engines Two"], "Lead")
        assert member.profile_url == "https://www.linkedin.com/in/ada"
        assert member.emails == ["new@x.com", "old@x.com"]
        assert member.sources == ["export", "inmail_stub"]
        assert member.version == 2


def test_an_observation_that_teaches_nothing_changes_nothing(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        assert uow.members.observe(seen(T0, first_name="Ada"))
        assert not uow.members.observe(seen(T0, first_name="Ada"))
        assert not uow.members.observe(seen(T0 - timedelta(days=1), first_name="Augusta"))
        member = uow.members.get(URN)
        assert member is not None and member.version == 1 and member.first_name == "Ada"
        uow.commit()


def test_changed_members_are_due_until_settled_at_their_latest_version(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.members.observe(seen(T0, first_name="Ada"))
        uow.commit()
    with store.session(None) as session:
        assert tenants_with_due_members(session) == ["acme"]
    with UnitOfWork("acme", store) as uow:
        claimed = uow.members.claim_due(10)
        assert claimed == {URN: 1}
        assert uow.members.claim_due(10) == {}  # held by the lease
        uow.commit()
    with store.session(None) as session:
        assert tenants_with_due_members(session) == []  # held: no second sweep is asked for
    with UnitOfWork("acme", store) as uow:
        uow.members.observe(seen(T0 + timedelta(hours=1), phones=["+44 20 7946 0000"]))
        uow.members.settle(claimed)  # settles version 1; version 2 stays due
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.members.due_count() == 1
        again = uow.members.claim_due(10)
        assert again == {URN: 2}
        uow.members.settle(again)
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.members.due_count() == 0


def test_blocking_keys_are_replaced_and_found_by_key(store: Store) -> None:
    add_candidate(store, "C1")
    add_candidate(store, "C2")
    with UnitOfWork("acme", store) as uow:
        uow.members.observe(seen(T0, first_name="Ada"))
        uow.match_keys.replace(Side.CANDIDATE, {"C1": {"e|ada@x.com", "p|1234567"}, "C2": {"e|ada@x.com"}})
        uow.match_keys.replace(Side.MEMBER, {URN: {"e|ada@x.com"}})
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.match_keys.entities(Side.CANDIDATE, ["e|ada@x.com"]) == {"C1", "C2"}
        assert uow.match_keys.entities(Side.MEMBER, ["e|ada@x.com", "x|unknown"]) == {URN}
        uow.match_keys.replace(Side.CANDIDATE, {"C1": {"p|1234567"}})
        assert uow.match_keys.entities(Side.CANDIDATE, ["e|ada@x.com"]) == {"C2"}
        assert len(uow.match_keys.digests_of(Side.CANDIDATE, "C1")) == 1
        uow.commit()
    with UnitOfWork("other", store) as uow:
        assert uow.match_keys.entities(Side.CANDIDATE, ["e|ada@x.com"]) == set()


def test_keys_are_filed_only_for_entities_that_still_exist(store: Store) -> None:
    """An entity erased since the caller read it gets no keys (they would break the foreign key)."""
    add_candidate(store, "C1")
    with UnitOfWork("acme", store) as uow:
        uow.match_keys.replace(Side.CANDIDATE, {"C1": {"e|ada@x.com"}, "C-gone": {"e|ada@x.com"}})
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.match_keys.entities(Side.CANDIDATE, {"e|ada@x.com"}) == {"C1"}


def test_refiling_rewrites_only_the_entities_whose_keys_changed(store: Store) -> None:
    for candidate_id in ("C1", "C2", "C3"):
        add_candidate(store, candidate_id)
    keys = {"C1": {"e|a@x.com"}, "C2": {"e|b@x.com", "p|1234567"}, "C3": set()}
    with UnitOfWork("acme", store) as uow:
        assert uow.match_keys.refile(Side.CANDIDATE, keys) == 2  # C3 had no keys and still has none
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.match_keys.refile(Side.CANDIDATE, keys) == 0
        assert uow.match_keys.refile(Side.CANDIDATE, {**keys, "C2": {"e|b@x.com"}}) == 1
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.match_keys.entities(Side.CANDIDATE, ["p|1234567"]) == set()
        assert uow.match_keys.entities(Side.CANDIDATE, ["e|a@x.com", "e|b@x.com"]) == {"C1", "C2"}


def test_history_is_numbered_per_candidate_and_review_skips_decided_candidates(store: Store) -> None:
    add_candidate(store, "C1")
    add_candidate(store, "C2")
    with UnitOfWork("acme", store) as uow:
        for candidate_id in ("C1", "C2"):
            row = uow.candidate_matches.get_or_add(candidate_id)
            row.status = "review"
        uow.candidate_matches.record(
            "C1", HistoryAction.LINK, person_urn=URN, previous_urn=None, actor="alice"
        )
        uow.candidate_matches.record(
            "C1", HistoryAction.UNLINK, person_urn=None, previous_urn=URN, actor="bob"
        )
        uow.candidate_matches.get_or_add("C2").decision = Decision.UNLINKED.value
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert [(h.seq, h.action, h.actor) for h in uow.candidate_matches.history("C1")] == [
            (1, "link", "alice"),
            (2, "unlink", "bob"),
        ]
        assert [r.candidate_id for r in uow.candidate_matches.in_review()] == ["C1"]
        assert uow.candidate_matches.counts() == {"review": 1, "manual_unlinked": 1}


def test_a_deleted_candidate_takes_its_match_keys_and_history_with_it(store: Store) -> None:
    add_candidate(store, "C1")
    with UnitOfWork("acme", store) as uow:
        uow.members.observe(seen(T0, first_name="Ada"))
        uow.candidate_matches.get_or_add("C1")
        uow.candidate_matches.record(
            "C1", HistoryAction.LINK, person_urn=URN, previous_urn=None, actor="alice"
        )
        uow.match_keys.replace(Side.CANDIDATE, {"C1": {"e|ada@x.com"}})
        uow.match_keys.replace(Side.MEMBER, {URN: {"e|ada@x.com"}})
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        uow.session.execute(delete(Candidate).where(Candidate.id == "C1"))
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        for model in (CandidateMatch, MatchHistory, CandidateKey):
            assert uow.session.scalar(select(func.count()).select_from(model)) == 0, model.__name__
        # The member and its keys are LinkedIn's side and stay.
        assert uow.session.scalar(select(func.count()).select_from(MemberKey)) == 1
