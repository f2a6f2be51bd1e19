"""Customer-app access tokens shared by every process and host: one token per app, one minter at a time.

LinkedIn's client-credentials tokens live about 30 minutes and are meant to be reused by every call
(reference §1). The token is kept here encrypted (with the store's keyring, like tenant secrets); a process
needing a new one first *claims* the mint in one short transaction that locks the app's row, mints
over HTTP outside any transaction, then stores the token. Another process finding the claim held
waits for the token instead of minting its own; a claim whose minter died expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import BigInteger, Integer, String, Text, case, select, update
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base
from store.repository import Repository
from store.upsert import dialect_insert


class LinkedInToken(Base):
    __tablename__ = "linkedin_tokens"

    app_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: The access token, Fernet-encrypted with RSC_SECRET_KEY; null until the first mint.
    token_enc: Mapped[str | None] = mapped_column(Text)
    #: Counts the mints: a process that got 401 with generation N asks for a token newer than N.
    generation: Mapped[int] = mapped_column(Integer, default=0)
    #: Epoch ms from which the token is replaced (shortly before LinkedIn's stated expiry).
    renew_at_ms: Mapped[int | None] = mapped_column(BigInteger)
    #: The process minting a new token now, and until when its claim holds (epoch ms).
    minter: Mapped[str | None] = mapped_column(String(64))
    minting_until_ms: Mapped[int | None] = mapped_column(BigInteger)


class MintCause(StrEnum):
    #: The app had no token yet.
    FIRST = "first"
    #: The token was about to expire.
    EXPIRY = "expiry"
    #: LinkedIn answered 401 to the current token.
    UNAUTHORIZED = "unauthorized"
    #: The app's secret was rotated: the next token proves the new secret before the old is deleted.
    ROTATION = "rotation"


@dataclass(frozen=True)
class StoredToken:
    token_enc: str
    generation: int
    renew_at_ms: int


@dataclass(frozen=True)
class MintClaimed:
    """This process mints; ``cause`` says why."""

    cause: MintCause


@dataclass(frozen=True)
class MintBusy:
    """Another process is minting; its claim holds ``wait_ms`` longer at most."""

    wait_ms: int


def _usable(row: LinkedInToken | None, now_ms: int, refused: int | None) -> StoredToken | None:
    if row is None or row.token_enc is None or row.renew_at_ms is None:
        return None
    if row.renew_at_ms <= now_ms or row.generation == refused:
        return None
    return StoredToken(row.token_enc, row.generation, row.renew_at_ms)


class LinkedInTokens(Repository):
    """The shared tokens; used from operator sessions (not tenant-bound). The caller commits."""

    def current(self, app_id: str, now_ms: int, *, refused: int | None = None) -> StoredToken | None:
        """The app's token if it is not due for renewal and not the generation LinkedIn ``refused``."""
        return _usable(self.session.get(LinkedInToken, app_id), now_ms, refused)

    def claim_mint(
        self, app_id: str, holder: str, now_ms: int, lease_ms: int, *, refused: int | None = None
    ) -> StoredToken | MintClaimed | MintBusy:
        """The usable token if there is one; else the mint for ``holder``, unless another holds it.

        The app's row is locked first, so two processes deciding at once decide one after the other
        and only one of them mints.
        """
        self.session.execute(
            dialect_insert(self.session, LinkedInToken.__table__)
            .values(app_id=app_id, generation=0)
            .on_conflict_do_nothing(index_elements=["app_id"])
        )
        row = self.session.scalars(
            select(LinkedInToken)
            .where(LinkedInToken.app_id == app_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        usable = _usable(row, now_ms, refused)
        if usable is not None:
            return usable
        if row.minter not in (None, holder) and (row.minting_until_ms or 0) > now_ms:
            return MintBusy(int(row.minting_until_ms or now_ms) - now_ms)
        row.minter, row.minting_until_ms = holder, now_ms + lease_ms
        if row.token_enc is None:
            return MintClaimed(MintCause.FIRST)
        return MintClaimed(MintCause.UNAUTHORIZED if row.generation == refused else MintCause.EXPIRY)

    def store(self, app_id: str, holder: str, token_enc: str, renew_at_ms: int) -> int:
        """Keep a freshly minted token and end ``holder``'s claim; the token's generation."""
        table = LinkedInToken.__table__
        generation = self.session.execute(
            update(LinkedInToken)
            .where(LinkedInToken.app_id == app_id)
            .values(
                token_enc=token_enc,
                renew_at_ms=renew_at_ms,
                generation=LinkedInToken.generation + 1,
                minter=case((table.c.minter == holder, None), else_=table.c.minter),
                minting_until_ms=case((table.c.minter == holder, None), else_=table.c.minting_until_ms),
            )
            .returning(LinkedInToken.generation)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        return int(generation)

    def put(self, app_id: str, token_enc: str, renew_at_ms: int) -> int:
        """Keep a token minted outside any claim (with a new secret, by a rotation) in place of the
        app's current one; its generation."""
        self.session.execute(
            dialect_insert(self.session, LinkedInToken.__table__)
            .values(app_id=app_id, generation=0)
            .on_conflict_do_nothing(index_elements=["app_id"])
        )
        generation = self.session.execute(
            update(LinkedInToken)
            .where(LinkedInToken.app_id == app_id)
            .values(token_enc=token_enc, renew_at_ms=renew_at_ms, generation=LinkedInToken.generation + 1)
            .returning(LinkedInToken.generation)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        return int(generation)

    def abandon(self, app_id: str, holder: str) -> None:
        """End ``holder``'s claim without a token (the mint failed): the next process may try."""
        self.session.execute(
            update(LinkedInToken)
            .where(LinkedInToken.app_id == app_id, LinkedInToken.minter == holder)
            .values(minter=None, minting_until_ms=None)
            .execution_options(synchronize_session=False)
        )
