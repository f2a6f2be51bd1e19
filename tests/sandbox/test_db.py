"""The sandbox's SQLite file: created with its schema, a transaction that fails leaves nothing, and a
wipe empties the tables it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.db import Database, dumps

INSERT = "INSERT INTO app_secrets (client_id, secret_id, secret, created_at) VALUES (?, ?, ?, ?)"


def test_a_failed_transaction_leaves_nothing_and_a_wipe_empties_tables(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "nested" / "sandbox.db"))
    try:
        db.execute(
            "INSERT INTO app_secrets (client_id, secret_id, secret, created_at) VALUES ('a', 's1', 'x', 1)"
        )
        with pytest.raises(RuntimeError), db.transaction():
            db.execute(INSERT, ("a", "s2", "y", 2))
            raise RuntimeError("the handler failed")
        assert [row["secret_id"] for row in db.all("SELECT secret_id FROM app_secrets")] == ["s1"]
        db.wipe(["app_secrets"])
        assert db.one("SELECT * FROM app_secrets") is None
    finally:
        db.close()
    reopened = Database(str(tmp_path / "nested" / "sandbox.db"))  # the schema is created only once
    reopened.close()


def test_json_is_written_compact_and_unescaped() -> None:
    assert dumps({"name": "Zoë", "ids": [1, 2]}) == '{"name":"Zoë","ids":[1,2]}'
