"""Dead letters outlive RabbitMQ's dead-letter TTL: archived in the store (encrypted) before they can
expire, listed, shown and replayed from the archive once RabbitMQ has dropped them."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import unquote, urlsplit

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cli.main import app
from events.dead_letters.archive import archive_dead_letters, combined_browse, replay_with_archive
from events.dead_letters.letters import Selection
from events.topology import Queue
from rsc.settings import get_settings
from store.base import utcnow
from store.db import get_store
from store.dead_letter_archive import ArchivedDeadLetter
from store.uow import OpsUnitOfWork
from tests.events.dead_letters.conftest import EXPECTED, DeadLetterWorld, Sent, wait_for_dead_letters
from tests.waiting import eventually

runner = CliRunner()


#: Seconds a dead letter lives in ``Q.XQ`` in the expiry test (instead of seven days).
SHORT_TTL_S = 20


@contextmanager
def dead_letters_expire_soon(broker_url: str) -> Iterator[None]:
    """What RabbitMQ does to a dead letter after ``dramatiq_dead_message_ttl``, sooner: a policy whose
    message TTL (the lower of policy and queue argument applies) drops a message dead-lettered from
    now on after ``SHORT_TTL_S``."""
    tool = shutil.which("rabbitmqctl")
    if tool is None:
        pytest.skip("rabbitmqctl is needed to let dead letters expire")
    vhost = unquote(urlsplit(broker_url).path[1:]) or "/"
    policy = [tool, "set_policy", "-p", vhost, "--apply-to", "queues", "rsc-test-xq-ttl", r"\.XQ$"]
    ttl = json.dumps({"message-ttl": SHORT_TTL_S * 1000})
    subprocess.run([*policy, ttl], check=True, capture_output=True, timeout=60)
    try:
        yield
    finally:
        subprocess.run(
            [tool, "clear_policy", "-p", vhost, "rsc-test-xq-ttl"],
            check=True,
            capture_output=True,
            timeout=60,
        )


def test_an_expired_dead_letter_is_listed_and_replayed_from_the_archive(
    world: DeadLetterWorld, rabbit: str
) -> None:
    with dead_letters_expire_soon(rabbit):
        rule = world.send("dlq_business_rule", Queue.PROFILE_EXPORT, tenant="acme")
        other = world.send("dlq_business_rule", Queue.PROFILE_EXPORT, tenant="globex")
        not_json = world.send_raw(Queue.STATUS_PUSH, b'{"actor_name": "dlq_succeeds", oops', "raw-bad-1")
        wait_for_dead_letters({Queue.PROFILE_EXPORT: 2, Queue.STATUS_PUSH: 1})
        report = archive_dead_letters(settings=get_settings(), store=get_store())
        assert report.archived == 3
        assert archive_dead_letters(settings=get_settings(), store=get_store()).archived == 0, (
            "archiving again changes nothing"
        )
        with get_store().engine.connect() as connection:
            bodies = connection.execute(sa.select(ArchivedDeadLetter.body_enc)).scalars().all()
        assert bodies and not any("jane.doe@example.com" in body for body in bodies), "stored encrypted"
        # RabbitMQ drops them, as it would after seven days.
        wait_for_dead_letters({Queue.PROFILE_EXPORT: 0, Queue.STATUS_PUSH: 0}, timeout=SHORT_TTL_S + 60)

    archived = {
        letter.message_id: letter
        for letter in combined_browse(settings=get_settings(), store=get_store()).letters
    }
    assert set(archived) == {rule, other, not_json}
    assert archived[rule].position == -1 and archived[rule].reason_code == "business_rule"

    listed = runner.invoke(app, ["dlq", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = {row["message_id"]: row for row in map(json.loads, listed.stdout.splitlines())}
    assert rows[rule]["where"] == "archive"
    assert "jane" not in listed.stdout.lower()
    shown = runner.invoke(app, ["dlq", "show", other[:13], "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["message_id"] == other

    world.healed.add("dlq_business_rule")
    result = replay_with_archive(
        Selection(message_ids=frozenset({rule})), settings=get_settings(), store=get_store()
    )
    assert [letter.message_id for letter in result.replayed] == [rule]
    assert result.missing == []
    eventually(lambda: world.calls_of(rule) == 2, what="the replayed copy to run")
    with OpsUnitOfWork(get_store()) as ops:
        row = ops.dead_letter_archive.get(rule)
        assert row is not None and row.settled_how == "replayed"
        record = ops.dead_letters.get(rule)
        assert record is not None and record.replays == 1
    assert rule not in {
        letter.message_id for letter in combined_browse(settings=get_settings(), store=get_store()).letters
    }


def test_dead_letters_nobody_settled_for_a_day_are_counted(dead_letters: Sent) -> None:
    archive_dead_letters(settings=get_settings(), store=get_store())
    with OpsUnitOfWork(get_store()) as ops:
        stale = ops.dead_letter_archive.open_older_than(utcnow() + timedelta(seconds=1))
        assert stale == {queue.value: count for queue, count in EXPECTED.items()}
        assert ops.dead_letter_archive.open_older_than(utcnow() - timedelta(days=1)) == {}
    assert archive_dead_letters(settings=get_settings(), store=get_store()).stale == {}, (
        "none of them is a day old yet"
    )
    assert Queue.PROFILE_EXPORT.value in {
        letter.queue.value for letter in combined_browse(settings=get_settings(), store=get_store()).letters
    }
