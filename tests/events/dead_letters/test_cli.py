"""``rsc dlq`` as an operator uses it: tables, prompts and exit statuses."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.main import app
from events.topology import Queue
from tests.events.dead_letters.conftest import EXPECTED, PERSONAL, DeadLetterWorld, Sent, lengths
from tests.waiting import eventually

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")


def rsc(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.output


def test_list_prints_the_count_per_queue_then_the_messages_grouped_by_reason(dead_letters: Sent) -> None:
    code, out = rsc("dlq", "list")

    assert code == 0, out
    assert out.index("Dead letters per queue") < out.index("business_rule (2)")
    assert "profile_export.XQ" in out and "status_push.XQ" in out
    for group in (
        "business_rule (2)",
        "transient_error (1)",
        "unknown_actor (1)",
        "unknown_tenant (1)",
        "unrecorded (1)",
    ):
        assert group in out
    for message_id in (
        dead_letters.rule_acme,
        dead_letters.flaky,
        dead_letters.not_json,
        dead_letters.no_tenant,
    ):
        assert message_id in out
    assert dead_letters.ok not in out
    assert "6 dead letters" in out


def test_list_never_prints_personal_data(dead_letters: Sent) -> None:
    code, out = rsc("dlq", "list")

    assert code == 0
    assert PERSONAL["candidate"]["name"] not in out
    assert PERSONAL["candidate"]["email"] not in out
    assert "example.com" not in out


def test_list_filters_and_limits(dead_letters: Sent) -> None:
    code, out = rsc("dlq", "list", "--queue", "status_push", "--reason", "unknown_tenant")
    assert code == 0, out
    assert "1 matching" in out
    assert dead_letters.no_tenant in out
    assert dead_letters.not_json not in out and dead_letters.rule_acme not in out

    code, out = rsc("dlq", "list", "--tenant", "globex", "--newer-than", "10m")
    assert code == 0 and "1 matching" in out and dead_letters.rule_globex in out

    code, out = rsc("dlq", "list", "--older-than", "1h")
    assert code == 0 and "no dead letters match" in out

    code, out = rsc("dlq", "list", "--limit", "2")
    assert code == 0 and "showing the first 2" in out

    code, out = rsc("dlq", "list", "--older-than", "an hour")
    assert code == 2 and "not a duration" in out


def test_show_prints_the_message_the_event_the_final_error_and_x_death(dead_letters: Sent) -> None:
    code, out = rsc("dlq", "show", dead_letters.flaky)

    assert code == 0, out
    for text in (
        "Recorded final error",
        "transient_error",
        "rsc.errors.TransientError",
        "x-death",
        "rejected",
    ):
        assert text in out
    assert '"actor_name": "dlq_flaky"' in out
    assert '"retries": 2' in out
    assert "Traceback of the attempt before the last" in out
    assert PERSONAL["candidate"]["name"] in out  # asked for explicitly: the event is shown


def test_show_a_body_that_is_not_json_and_an_unknown_id(dead_letters: Sent) -> None:
    code, out = rsc("dlq", "show", dead_letters.not_json)
    assert code == 0, out
    assert "not JSON" in out and "oops" in out and "none (the worker wrote no record" in out

    code, out = rsc("dlq", "show", "no-such-id")
    assert code == 1 and "no dead letter with message id 'no-such-id'" in out


@pytest.mark.parametrize(
    "args",
    [
        ["dlq", "replay"],
        ["dlq", "replay", "some-id", "--queue", "status_push"],
        ["dlq", "replay", "--queue", "status_push", "--all"],
        ["dlq", "replay", "some-id", "--reason", "business_rule"],
        ["dlq", "purge"],
    ],
)
def test_replay_and_purge_refuse_an_unclear_selection(args: list[str]) -> None:
    code, out = rsc(*args)
    assert code == 2, out


def test_replay_dry_run_then_for_real_then_again(world: DeadLetterWorld, dead_letters: Sent) -> None:
    world.healed.add("dlq_business_rule")

    code, out = rsc("dlq", "replay", "--queue", "profile_export", "--reason", "business_rule", "--dry-run")
    assert code == 0, out
    assert "Would replay (dry run): 2" in out
    assert lengths() == EXPECTED

    code, out = rsc("dlq", "replay", dead_letters.rule_acme)
    assert code == 0, out
    assert "Replayed: 1" in out
    eventually(lambda: world.calls_of(dead_letters.rule_acme) == 2, what="the replayed message to run")

    code, out = rsc("dlq", "replay", dead_letters.rule_acme)
    assert code == 1
    assert "nothing to replay" in out and "not in any dead-letter queue" in out
    assert lengths() == {Queue.PROFILE_EXPORT: 3, Queue.STATUS_PUSH: 2}


def test_a_filter_alone_selects_across_every_queue(world: DeadLetterWorld, dead_letters: Sent) -> None:
    code, out = rsc("dlq", "replay", "--reason", "business_rule", "--reason", "unknown_tenant", "--dry-run")
    assert code == 0, out
    assert "Would replay (dry run): 3" in out
    assert dead_letters.no_tenant in out and dead_letters.rule_globex in out
    assert dead_letters.flaky not in out

    code, out = rsc("dlq", "purge", "--tenant", "globex", input="n\n")
    assert code == 1 and "Delete 1 dead letter for good?" in out
    assert lengths() == EXPECTED


def test_replay_all_leaves_what_cannot_be_replayed(world: DeadLetterWorld, dead_letters: Sent) -> None:
    world.healed.update({"dlq_business_rule", "dlq_flaky", "dlq_unknown_tenant"})

    code, out = rsc("dlq", "replay", "--all")

    assert code == 0, out
    assert "Replayed: 5" in out
    assert "Left in the dead-letter queue" in out and dead_letters.not_json in out
    # The message for a missing actor dies again; everything else now succeeds.
    eventually(
        lambda: lengths() == {Queue.PROFILE_EXPORT: 1, Queue.STATUS_PUSH: 1},
        what="the replays to settle",
    )


def test_purge_asks_first_and_deletes_only_what_was_selected(dead_letters: Sent) -> None:
    code, out = rsc("dlq", "purge", "--queue", "profile_export", "--reason", "business_rule", input="n\n")
    assert code == 1
    assert "Delete 2 dead letters for good?" in out
    assert lengths() == EXPECTED

    code, out = rsc("dlq", "purge", "--queue", "profile_export", "--reason", "business_rule", input="y\n")
    assert code == 0, out
    assert "purged 2 dead letters" in out
    assert lengths() == {Queue.PROFILE_EXPORT: 2, Queue.STATUS_PUSH: 2}

    code, out = rsc("dlq", "purge", dead_letters.not_json, "--yes")
    assert code == 0 and "purged 1 dead letter" in out

    code, out = rsc("dlq", "purge", "--all", "--yes")
    assert code == 0 and "purged 3 dead letters" in out
    assert lengths() == {Queue.PROFILE_EXPORT: 0, Queue.STATUS_PUSH: 0}

    code, out = rsc("dlq", "purge", "--all", "--yes")
    assert code == 0 and "nothing to purge" in out


def test_without_rabbitmq_the_commands_say_what_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    from rsc.settings import reset_settings

    code, out = rsc("dlq", "list")
    assert code == 3 and "stub://" in out

    monkeypatch.setenv("RSC_BROKER_URL", "amqp://guest:guest@127.0.0.1:1/%2F")
    reset_settings()
    code, out = rsc("dlq", "replay", "--all")
    assert code == 3
    assert "cannot reach RabbitMQ" in out and "guest:guest" not in out
