"""What every repository shares (``store.repository``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.orm import Session

from rsc.crypto import Keyring
from store.db import Store
from store.repository import IN_LIST, Repository, in_chunks, keyring_of


def test_ids_come_in_lists_of_at_most_the_in_list_size_sorted_and_distinct() -> None:
    ids = [f"C-{n:05d}" for n in range(IN_LIST * 2 + 7)]
    chunks = list(in_chunks(reversed(ids + ids[:10])))

    assert [len(chunk) for chunk in chunks] == [IN_LIST, IN_LIST, 7]
    assert [i for chunk in chunks for i in chunk] == sorted(ids)


def test_a_chunk_size_can_be_given_and_no_ids_make_no_chunk() -> None:
    assert list(in_chunks(["b", "a", "c"], size=2)) == [["a", "b"], ["c"]]
    assert list(in_chunks([])) == []


def test_a_store_s_sessions_carry_its_keyring_to_the_repositories(tmp_path: Path) -> None:
    keyring = Keyring.of(Fernet.generate_key())
    store = Store(f"sqlite:///{tmp_path}/keys.db", keyring=keyring)
    with store.session(None) as session:
        assert keyring_of(session) is keyring and Repository(session).keyring is keyring
    with Session() as foreign, pytest.raises(RuntimeError, match="not opened by a Store"):
        keyring_of(foreign)
    store.dispose()
