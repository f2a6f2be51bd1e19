"""What every repository shares: its session, its tenant, the store's keyring, and id lists cut to the
size of an IN list."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy.orm import Session

from rsc.crypto import Keyring

#: Ids per ``IN (...)`` list: far inside what either store binds in one statement (SQLite 32,766
#: parameters, PostgreSQL 65,535), and short enough that each statement's plan stays an index lookup.
IN_LIST = 500
#: Where a store's session carries the store's keyring (``Store.session``).
KEYRING = "keyring"


def keyring_of(session: Session) -> Keyring:
    """The keyring of the store that opened ``session``."""
    keyring = session.info.get(KEYRING)
    if not isinstance(keyring, Keyring):
        raise RuntimeError(
            "this session was not opened by a Store, so it has no keyring; use Store.session()"
        )
    return keyring


class Repository:
    """A repository of tables no tenant owns (the operator's view, LinkedIn's shared state)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def keyring(self) -> Keyring:
        """The keyring of the secrets and keyed hashes this repository's rows hold."""
        return keyring_of(self.session)


class TenantRepository(Repository):
    """A repository of one tenant's rows; its Core statements name ``self.tenant`` themselves."""

    def __init__(self, session: Session, tenant: str) -> None:
        super().__init__(session)
        self.tenant = tenant


def in_chunks(ids: Iterable[str], size: int = IN_LIST) -> Iterator[list[str]]:
    """The distinct ``ids``, sorted, ``size`` at a time: one ``IN`` list each. Sorted, so statements
    that lock the rows they touch lock them in one order, whoever runs them."""
    distinct = sorted(set(ids))
    for start in range(0, len(distinct), size):
        yield distinct[start : start + size]
