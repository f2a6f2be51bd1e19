"""``rsc db upgrade`` migrates the store RSC_DATABASE_URL names, from nothing to the models."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cli.db import app
from tests.conftest import reset_process_state


def test_an_empty_store_is_upgraded_to_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path}/fresh.db"
    monkeypatch.setenv("RSC_DATABASE_URL", url)
    reset_process_state()
    result = CliRunner().invoke(app, ["head"])  # its one command is the app itself
    assert result.exit_code == 0, result.output
    assert result.output == "database upgraded to head\n"
    engine = sa.create_engine(url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"tenants", "candidates", "alembic_version"} <= tables
