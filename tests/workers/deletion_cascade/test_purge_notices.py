"""Purge notices: polled from the in-process sandbox on both stores, listed and decided with the CLI."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from cli.main import app
from rsc.settings import Settings, get_settings
from schemas.commands import PurgeNoticePoll
from store.base import to_ms, utcnow
from store.purge_notices import NoticeState
from tests.workers.deletion_cascade.support import World, find_values
from workers.deletion_cascade.purge_notices import poll_purge_notices, purge_poll_messages
from workers.profile_export.handlers import ExportResult
from workers.runtime.wiring import use_linkedin_clients

runner = CliRunner()


def purge(world: World, member: str, at_ms: int | None = None, organization: str | None = None) -> None:
    body: dict[str, Any] = {"organization": organization or world.org, "member": member}
    if at_ms is not None:
        body["purgedAt"] = at_ms
    world.sandbox.control("POST", "/purged-candidates", json=body)


def exported(world: World, suffix: str) -> tuple[str, str]:
    urn = f"urn:li:person:{world.tag}{suffix}"
    result = world.deliver(
        world.export_event({"member": urn, "firstName": f"Gone{suffix}", "lastName": "Member"})
    )
    assert isinstance(result, ExportResult)
    return urn, result.candidate_id


def poll(world: World) -> Any:
    return poll_purge_notices(
        PurgeNoticePoll(tenant=world.tenant), world.uow(), world.linkedin, settings=get_settings()
    )


def test_each_notice_is_recorded_once_with_the_candidate_it_concerns(world: World) -> None:
    urn, candidate_id = exported(world, "closed")
    purge(world, urn)
    purge(world, f"urn:li:person:{world.tag}never-here")
    purge(world, f"urn:li:person:{world.tag}elsewhere", organization="urn:li:organization:1")
    report = poll(world)
    assert (report.read, report.new, report.ignored, report.calls) == (2, 2, 0, 1)
    with world.uow() as uow:
        notices = {n.state: n.candidate_id for n in uow.purge_notices.find()}
        cursor = uow.purge_notices.cursor()
        assert cursor is not None and cursor.polled_until_ms is not None
        assert cursor.next_poll_at > utcnow() + timedelta(hours=23)
    assert notices == {NoticeState.OPEN.value: candidate_id, NoticeState.NO_CANDIDATE.value: None}
    # The member's URN is not kept: only a keyed hash of it.
    assert "purge_notices" not in find_values(world.store, {urn}).get(urn, set())
    # The next poll reads from where this one ended (less an overlap) and records nothing twice.
    again = poll(world)
    assert again.new == 0 and again.read == 2


def test_the_customer_lists_open_notices_and_records_its_decision(world: World) -> None:
    use_linkedin_clients(world.sandbox.linkedin_clients())
    kept_urn, kept_id = exported(world, "kept")
    deleted_urn, deleted_id = exported(world, "deleted")
    purge(world, kept_urn, to_ms(utcnow()) - 60_000)
    purge(world, deleted_urn, to_ms(utcnow()) - 30_000)
    result = runner.invoke(app, ["privacy", "poll-notices", "--tenant", world.tenant])
    assert result.exit_code == 0, result.output
    assert "2 new" in result.output
    listed = json.loads(runner.invoke(app, ["privacy", "notices", "--tenant", world.tenant, "--json"]).output)
    assert {n["candidate_id"] for n in listed["notices"]} == {kept_id, deleted_id}
    assert listed["last_polled_at"] is not None
    kept = next(n for n in listed["notices"] if n["candidate_id"] == kept_id)
    result = runner.invoke(
        app, ["privacy", "keep", kept["notice_id"][:12], "--tenant", world.tenant, "--by", "dpo@acme"]
    )
    assert result.exit_code == 0, result.output
    # Deleting the other candidate in the ATS closes its notice, which no longer names it.
    world.delete_candidate(deleted_id)
    listed = json.loads(runner.invoke(app, ["privacy", "notices", "--tenant", world.tenant, "--json"]).output)
    assert listed["notices"] == []
    everything = json.loads(
        runner.invoke(app, ["privacy", "notices", "--tenant", world.tenant, "--all", "--json"]).output
    )
    states = {n["state"]: (n["candidate_id"], n["decided_by"]) for n in everything["notices"]}
    assert states == {"kept": (kept_id, "dpo@acme"), "candidate_deleted": (None, None)}
    shown = runner.invoke(app, ["privacy", "notices", "--tenant", world.tenant, "--all"]).output
    assert kept_id in shown and deleted_id not in shown
    missing = runner.invoke(app, ["privacy", "keep", "ffff", "--tenant", world.tenant, "--by", "dpo"])
    assert missing.exit_code == 1 and "rsc privacy notices --tenant" in missing.output


def test_the_scheduler_asks_for_a_poll_when_due_and_not_again_while_it_is_queued(world: World) -> None:
    def due() -> list[str]:
        with world.store.session(None) as session:
            return [m.body.decode() for m in purge_poll_messages(session) if world.tenant.encode() in m.body]

    (first,) = due()
    assert '"poll_purge_notices"' in first and '"deletion_cascade"' in first
    assert due() == []  # requested: not again until that poll ran (or its hold expired)
    poll(world)
    assert due() == []  # read: due again after RSC_PURGE_POLL_INTERVAL_S
    with world.uow() as uow:
        cursor = uow.purge_notices.cursor()
        assert cursor is not None
        cursor.next_poll_at = utcnow() - timedelta(seconds=1)
        uow.commit()
    assert len(due()) == 1


def test_purge_notices_must_be_read_at_least_every_30_days() -> None:
    assert Settings(purge_poll_interval_s=30 * 86_400).purge_poll_interval_s == 2_592_000
    with pytest.raises(ValidationError, match="at least every 30 days"):
        Settings(purge_poll_interval_s=31 * 86_400)
