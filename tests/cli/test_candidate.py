"""``rsc candidate``: a candidate shown by its id or the one id a prefix names, an ambiguous prefix
refused with the ids it matches, and an unmerge with nothing to undo as one line of error."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import typer
from typer.testing import CliRunner

from cli.candidate import app, resolve_candidate
from schemas.ats import CandidateSnapshot
from store.db import get_store
from store.uow import UnitOfWork
from tests.helpers import create_tenant

runner = CliRunner()
T0 = datetime(2026, 5, 1, tzinfo=UTC)


def candidates(*ids: str) -> None:
    create_tenant("acme")
    with UnitOfWork("acme", get_store()) as uow:
        for candidate_id in ids:
            uow.candidates.apply(
                CandidateSnapshot(candidate_id=candidate_id, first_name="Ada", created_at=T0, modified_at=T0)
            )
        uow.commit()


def test_a_prefix_names_the_one_candidate_it_matches(sqlite_url: str) -> None:
    candidates("C-100", "C-200", "C-201")
    assert resolve_candidate("acme", "C-1") == "C-100"
    assert resolve_candidate("acme", "C-200") == "C-200"  # an exact id wins over longer ones
    assert resolve_candidate("acme", "X-") == "X-"  # nothing matches: the caller reports it
    with pytest.raises(typer.Exit):
        resolve_candidate("acme", "C-2")


def test_show_prints_the_candidate_and_an_ambiguous_prefix_names_the_matches(sqlite_url: str) -> None:
    candidates("C-100", "C-200", "C-201")
    shown = runner.invoke(app, ["show", "C-1", "--tenant", "acme", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["id"] == "C-100"
    ambiguous = runner.invoke(app, ["show", "C-2", "--tenant", "acme"])
    assert ambiguous.exit_code == 1
    assert "2 candidates start with 'C-2' (C-200, C-201); give more of the id" in ambiguous.output


def test_an_unmerge_with_nothing_to_undo_is_one_line_of_error(sqlite_url: str) -> None:
    candidates("C-100")
    result = runner.invoke(app, ["unmerge", "C-100", "--tenant", "acme"])
    assert result.exit_code == 1
    assert "candidate 'C-100' has no merge to undo" in result.output
