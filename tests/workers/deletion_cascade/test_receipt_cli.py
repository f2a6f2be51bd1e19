"""`rsc privacy receipt`: what a privacy officer reads to prove a deletion happened."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import app
from tests.workers.deletion_cascade.support import World
from tests.workers.deletion_cascade.test_deletion_cascade import PERSON

runner = CliRunner()


def test_the_receipt_names_what_was_deleted_where_and_when_without_personal_data(world: World) -> None:
    world.deliver(world.candidate_event("C-77", PERSON, created=world.now()))
    world.deliver(world.application_event("A-771", "C-77", "Applied", 0))
    world.deliver(world.application_event("A-772", "C-77", "Applied", 0))
    world.sweep()
    world.delete_application("A-772", "C-77")
    world.delete_candidate("C-77")

    shown = runner.invoke(app, ["privacy", "receipt", "C-77", "--tenant", world.tenant])
    assert shown.exit_code == 0, shown.output
    text = shown.output
    assert text.count("Deletion receipt") == 2  # the application's deletion, then the candidate's
    assert "DELETE atsApplications  atsJobApplicationId=A-772: deleted (204)" in text
    assert "DELETE atsApplications  atsJobApplicationId=A-771: deleted (204)" in text
    assert "DELETE atsCandidates  atsCandidateId=C-77: deleted (204)" in text
    assert "state: confirmed" in text and "applications: 1" in text and "candidates: 1" in text
    for value in PERSON.values():
        assert value not in text

    (application, candidate) = json.loads(
        runner.invoke(app, ["privacy", "receipt", "C-77", "--tenant", world.tenant, "--json"]).output
    )
    assert (application["kind"], candidate["kind"]) == ("application", "candidate")
    assert [e["key"] for e in candidate["linkedin"]] == ["A-771", "C-77"]
    assert candidate["requested_at"] <= candidate["erased_at"] <= candidate["confirmed_at"]
    assert candidate["pending_keys"] == 0

    by_application = runner.invoke(
        app, ["privacy", "receipt", "A-772", "--application", "--tenant", world.tenant, "--json"]
    )
    assert [r["receipt_id"] for r in json.loads(by_application.output)] == [application["receipt_id"]]


def test_asking_for_a_candidate_that_was_not_deleted_says_so(world: World) -> None:
    result = runner.invoke(app, ["privacy", "receipt", "C-1", "--tenant", world.tenant])
    assert result.exit_code == 1
    assert "no deletion receipt for candidate 'C-1'" in result.output
    assert "rsc dlq list --queue deletion_cascade" in result.output
