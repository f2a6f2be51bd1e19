"""What every process shares about LinkedIn through the store: the customer apps' tokens and the turns
of batch calls. The same contract on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from store.db import Store
from store.linkedin_batch_leases import BatchLease, BatchLeases
from store.linkedin_tokens import LinkedInToken, LinkedInTokens, MintBusy, MintCause, MintClaimed, StoredToken

APP = "acme-client"
LEASE_MS = 25_000


def claim(store: Store, holder: str, now_ms: int, *, refused: int | None = None) -> object:
    with store.session(None) as session:
        decided = LinkedInTokens(session).claim_mint(APP, holder, now_ms, LEASE_MS, refused=refused)
        session.commit()
    return decided


def keep(store: Store, holder: str, token: str, renew_at_ms: int) -> int:
    with store.session(None) as session:
        generation = LinkedInTokens(session).store(APP, holder, token, renew_at_ms)
        session.commit()
    return generation


def current(store: Store, now_ms: int, *, refused: int | None = None) -> StoredToken | None:
    with store.session(None) as session:
        return LinkedInTokens(session).current(APP, now_ms, refused=refused)


def test_one_process_mints_the_first_token_while_the_others_wait_for_it(store: Store) -> None:
    assert current(store, 0) is None
    assert claim(store, "host-a", 1_000) == MintClaimed(MintCause.FIRST)
    assert claim(store, "host-b", 1_100) == MintBusy(LEASE_MS - 100)
    assert keep(store, "host-a", "enc-1", 1_800_000) == 1
    assert claim(store, "host-b", 1_200) == StoredToken("enc-1", 1, 1_800_000)
    assert current(store, 1_200) == StoredToken("enc-1", 1, 1_800_000)


def test_a_token_due_for_renewal_is_minted_again_by_one_process(store: Store) -> None:
    claim(store, "host-a", 0)
    keep(store, "host-a", "enc-1", 1_000)
    assert current(store, 1_000) is None
    assert claim(store, "host-b", 1_000) == MintClaimed(MintCause.EXPIRY)
    assert isinstance(claim(store, "host-a", 1_001), MintBusy)
    assert keep(store, "host-b", "enc-2", 2_000_000) == 2
    assert current(store, 1_002) == StoredToken("enc-2", 2, 2_000_000)


def test_a_refused_generation_is_minted_again_once(store: Store) -> None:
    claim(store, "host-a", 0)
    keep(store, "host-a", "enc-1", 1_800_000)
    # Both processes got 401 with generation 1: the first re-mints, the second takes its token.
    assert current(store, 10, refused=1) is None
    assert claim(store, "host-a", 10, refused=1) == MintClaimed(MintCause.UNAUTHORIZED)
    keep(store, "host-a", "enc-2", 1_800_000)
    assert claim(store, "host-b", 20, refused=1) == StoredToken("enc-2", 2, 1_800_000)


def test_a_claim_whose_minter_died_or_gave_up_passes_to_another(store: Store) -> None:
    claim(store, "host-a", 0)
    assert isinstance(claim(store, "host-b", LEASE_MS - 1), MintBusy)
    assert claim(store, "host-b", LEASE_MS) == MintClaimed(MintCause.FIRST)
    with store.session(None) as session:
        LinkedInTokens(session).abandon(APP, "host-b")
        session.commit()
    assert claim(store, "host-c", LEASE_MS + 1) == MintClaimed(MintCause.FIRST)
    # A late minter whose claim passed on still keeps its token, but not the other's claim.
    keep(store, "host-a", "enc-late", 1_800_000)
    with store.session(None) as session:
        row = session.scalars(select(LinkedInToken).where(LinkedInToken.app_id == APP)).one()
        assert (row.minter, row.token_enc, row.generation) == ("host-c", "enc-late", 1)


def lease(store: Store, holder: str, now_ms: int, *, family: str = "atsCandidates", app: str = APP) -> bool:
    with store.session(None) as session:
        taken = BatchLeases(session).acquire(app, family, holder, now_ms, LEASE_MS)
        session.commit()
    return taken


def release(store: Store, holder: str, family: str = "atsCandidates") -> None:
    with store.session(None) as session:
        BatchLeases(session).release(APP, family, holder)
        session.commit()


def test_one_holder_at_a_time_sends_an_apps_batch_calls_to_a_family(store: Store) -> None:
    assert lease(store, "host-a", 0)
    assert not lease(store, "host-b", 10)
    assert lease(store, "host-a", 20)  # its holder extends it
    release(store, "host-b")  # not the holder's: nothing happens
    assert not lease(store, "host-b", 30)
    release(store, "host-a")
    assert lease(store, "host-b", 40)
    # Other families and other apps are not held up.
    assert lease(store, "host-a", 50, family="atsApplicationStages")
    assert lease(store, "host-a", 50, app="globex-client")


def test_a_lease_whose_holder_died_expires(store: Store) -> None:
    assert lease(store, "host-a", 0)
    assert not lease(store, "host-b", LEASE_MS - 1)
    assert lease(store, "host-b", LEASE_MS)
    with store.session(None) as session:
        row = session.scalars(select(BatchLease)).one()
        assert (row.holder, row.lease_until_ms) == ("host-b", 2 * LEASE_MS)
