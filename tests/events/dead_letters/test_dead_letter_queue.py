"""Browse, replay and purge real dead letters on RabbitMQ, with the reasons the worker recorded."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import kombu
import pytest
from dramatiq.common import xq_name

from events.dead_letters.letters import UNRECORDED, Selection
from events.dead_letters.queue import (
    RESET_OPTIONS,
    browse_dead_letters,
    find_dead_letters,
    purge_dead_letters,
    replay_body,
    replay_dead_letters,
)
from events.topology import Queue
from rsc.settings import get_settings
from store.base import utcnow
from store.db import get_store
from store.uow import OpsUnitOfWork
from tests.events.dead_letters.conftest import (
    DLQ_TEST_QUEUES,
    EXPECTED,
    FLAKY_ATTEMPTS,
    DeadLetterWorld,
    Sent,
    lengths,
    wait_for_dead_letters,
)
from tests.fakes import FakePublisher
from tests.waiting import eventually


def ids(selection: Selection | None = None) -> list[str]:
    return [
        letter.message_id
        for letter in browse_dead_letters(selection, settings=get_settings(), store=get_store()).letters
    ]


def raw_order(queue: Queue) -> list[bytes]:
    """The bodies in ``Q.XQ`` head first, read with plain basic_get (and given back on close)."""
    with kombu.Connection(get_settings().broker_url) as conn:
        channel = conn.channel()
        bodies = []
        while (message := channel.basic_get(xq_name(queue.value), no_ack=False)) is not None:
            body = message.body
            bodies.append(body.encode() if isinstance(body, str) else bytes(body))
        channel.close()
    return bodies


@pytest.mark.parametrize("store_url", ["sqlite", "postgresql"], indirect=True)
def test_list_counts_every_queue_and_joins_the_recorded_reason(dead_letters: Sent) -> None:
    browse = browse_dead_letters(settings=get_settings(), store=get_store())

    counts = {length.queue: length.messages for length in browse.lengths}
    assert set(counts) == set(Queue)
    assert {queue: counts[queue] for queue in EXPECTED} == EXPECTED
    assert not any(counts[queue] for queue in set(Queue) - set(EXPECTED))  # nothing died there
    assert browse.matched == len(browse.letters) == 6
    by_id = {letter.message_id: letter for letter in browse.letters}
    assert dead_letters.ok not in by_id
    assert Counter(letter.reason_code for letter in browse.letters) == {
        "business_rule": 2,
        "transient_error": 1,
        "unknown_actor": 1,
        "unknown_tenant": 1,
        UNRECORDED: 1,
    }
    rule = by_id[dead_letters.rule_acme]
    assert rule.queue is Queue.PROFILE_EXPORT
    assert rule.actor == "dlq_business_rule"
    assert (rule.tenant, rule.event_type, rule.event_id) == ("acme", "test.thing.v1", rule.event_id)
    assert rule.reason == "job 'J-17' is closed; reopen it in the ATS and replay"
    assert rule.attempts == 1
    assert rule.deaths[0].reason == "rejected"
    assert rule.deaths[0].queue == "profile_export"
    assert rule.dead_since is not None
    assert timedelta(0) <= (rule.age(utcnow()) or timedelta(-1)) < timedelta(minutes=1)

    flaky = by_id[dead_letters.flaky]
    assert flaky.reason_code == "transient_error"
    assert flaky.attempts == FLAKY_ATTEMPTS
    assert f"gave up after {FLAKY_ATTEMPTS} attempts" in flaky.reason


def test_a_message_for_a_missing_actor_and_a_body_that_is_not_json_are_listed_with_a_reason(
    dead_letters: Sent,
) -> None:
    no_actor, not_json = (
        find_dead_letters(dead_letters.no_actor, settings=get_settings(), store=get_store()),
        find_dead_letters(dead_letters.not_json, settings=get_settings(), store=get_store()),
    )

    assert len(no_actor) == 1
    assert no_actor[0].reason_code == "unknown_actor"
    assert "dlq_missing_actor" in no_actor[0].reason
    assert no_actor[0].replayable

    assert len(not_json) == 1
    letter = not_json[0]
    assert letter.queue is Queue.STATUS_PUSH
    assert letter.reason_code == UNRECORDED
    assert letter.record is None
    assert letter.message is None and not letter.replayable
    assert "not JSON" in letter.reason
    assert "x-death: rejected in status_push: a worker rejected it" in letter.reason
    assert letter.dead_since is not None  # from x-death


def test_filters_select_by_queue_reason_actor_tenant_and_age(dead_letters: Sent) -> None:
    assert set(ids(Selection(queues=(Queue.STATUS_PUSH,)))) == {dead_letters.no_tenant, dead_letters.not_json}
    assert set(ids(Selection(reason_codes=frozenset({"business_rule"})))) == {
        dead_letters.rule_acme,
        dead_letters.rule_globex,
    }
    assert set(ids(Selection(reason_codes=frozenset({"unknown_actor", UNRECORDED})))) == {
        dead_letters.no_actor,
        dead_letters.not_json,
    }
    assert ids(Selection(actor="dlq_flaky")) == [dead_letters.flaky]
    assert ids(Selection(tenant="globex")) == [dead_letters.rule_globex]
    assert ids(Selection(queues=(Queue.STATUS_PUSH,), reason_codes=frozenset({"business_rule"}))) == []
    assert ids(Selection(older_than=timedelta(hours=1))) == []
    assert len(ids(Selection(newer_than=timedelta(minutes=10)))) == 6

    limited = browse_dead_letters(
        Selection(queues=(Queue.PROFILE_EXPORT,)), limit=2, settings=get_settings(), store=get_store()
    )
    assert limited.matched == 4
    assert len(limited.letters) == 2


def test_browsing_leaves_every_dead_letter_queue_as_it_was(dead_letters: Sent) -> None:
    before = {queue: raw_order(queue) for queue in DLQ_TEST_QUEUES}
    listed = ids()

    for _ in range(3):
        assert ids() == listed
        browse_dead_letters(
            Selection(reason_codes=frozenset({"business_rule"})),
            limit=1,
            settings=get_settings(),
            store=get_store(),
        )
        find_dead_letters(dead_letters.flaky, settings=get_settings(), store=get_store())
        replay_dead_letters(Selection(), dry_run=True, settings=get_settings(), store=get_store())
        purge_dead_letters(Selection(), dry_run=True, settings=get_settings(), store=get_store())

    assert lengths() == EXPECTED
    assert {queue: raw_order(queue) for queue in DLQ_TEST_QUEUES} == before
    assert [
        letter.position for letter in browse_dead_letters(settings=get_settings(), store=get_store()).letters
    ] == [
        0,
        1,
        2,
        3,
        0,
        1,
    ]


def test_the_replayed_body_has_fresh_retries_the_canonical_queue_and_the_same_id(dead_letters: Sent) -> None:
    (letter,) = find_dead_letters(dead_letters.flaky, settings=get_settings(), store=get_store())
    assert letter.message is not None
    # The dead letter is the message as last enqueued: the retry copy from the delay queue.
    assert letter.message.options["retries"] == FLAKY_ATTEMPTS - 1
    assert "traceback" in letter.message.options

    body = json.loads(replay_body(letter, now_ms=1_900_000_000_000))

    assert body["message_id"] == dead_letters.flaky
    assert body["queue_name"] == "profile_export"
    assert body["message_timestamp"] == 1_900_000_000_000
    assert not set(RESET_OPTIONS) & set(body["options"])
    assert body["kwargs"] == letter.message.kwargs


@pytest.mark.parametrize("store_url", ["sqlite", "postgresql"], indirect=True)
def test_replaying_one_message_id_runs_it_again_and_leaves_the_others(
    world: DeadLetterWorld, dead_letters: Sent
) -> None:
    others = [i for i in ids() if i != dead_letters.rule_acme]
    world.healed.add("dlq_business_rule")

    result = replay_dead_letters(
        Selection(message_ids=frozenset({dead_letters.rule_acme})), settings=get_settings(), store=get_store()
    )

    assert [letter.message_id for letter in result.replayed] == [dead_letters.rule_acme]
    assert result.error is None and not result.missing and not result.skipped
    eventually(lambda: world.calls_of(dead_letters.rule_acme) == 2, what="the replayed message to run")
    assert ids() == others
    assert lengths() == {Queue.PROFILE_EXPORT: 3, Queue.STATUS_PUSH: 2}
    with OpsUnitOfWork(get_store()) as ops:
        row = ops.dead_letters.get(dead_letters.rule_acme)
        assert row is not None
        assert row.replays == 1
        assert row.replayed_at is not None
        untouched = ops.dead_letters.get(dead_letters.rule_globex)
        assert untouched is not None and untouched.replays == 0 and untouched.replayed_at is None


def test_replaying_twice_changes_nothing_the_second_time(world: DeadLetterWorld, dead_letters: Sent) -> None:
    world.healed.add("dlq_business_rule")
    selection = Selection(message_ids=frozenset({dead_letters.rule_acme}))
    replay_dead_letters(selection, settings=get_settings(), store=get_store())
    eventually(lambda: world.calls_of(dead_letters.rule_acme) == 2, what="the replayed message to run")
    after_first = ids()

    second = replay_dead_letters(selection, settings=get_settings(), store=get_store())

    assert second.replayed == [] and second.skipped == []
    assert second.missing == [dead_letters.rule_acme]
    assert ids() == after_first
    with OpsUnitOfWork(get_store()) as ops:
        row = ops.dead_letters.get(dead_letters.rule_acme)
        assert row is not None and row.replays == 1
    # Give a wrongly republished copy the time to be consumed: there must be none.
    wait_for_dead_letters({Queue.PROFILE_EXPORT: 3, Queue.STATUS_PUSH: 2}, timeout=1)
    assert world.calls_of(dead_letters.rule_acme) == 2


def test_replaying_by_reason_takes_only_that_reason(world: DeadLetterWorld, dead_letters: Sent) -> None:
    world.healed.add("dlq_business_rule")

    result = replay_dead_letters(
        Selection(queues=(Queue.PROFILE_EXPORT,), reason_codes=frozenset({"business_rule"})),
        settings=get_settings(),
        store=get_store(),
    )

    assert {letter.message_id for letter in result.replayed} == {
        dead_letters.rule_acme,
        dead_letters.rule_globex,
    }
    wait_for_dead_letters({Queue.PROFILE_EXPORT: 2, Queue.STATUS_PUSH: 2})
    eventually(lambda: world.calls_of(dead_letters.rule_globex) == 2, what="both replays to run")
    assert set(ids()) == {
        dead_letters.flaky,
        dead_letters.no_actor,
        dead_letters.no_tenant,
        dead_letters.not_json,
    }


def test_a_dry_run_lists_what_would_be_replayed_and_changes_nothing(
    world: DeadLetterWorld, dead_letters: Sent
) -> None:
    before = {queue: raw_order(queue) for queue in DLQ_TEST_QUEUES}

    result = replay_dead_letters(Selection(), dry_run=True, settings=get_settings(), store=get_store())

    assert result.dry_run
    assert {letter.message_id for letter in result.replayed} == set(ids()) - {dead_letters.not_json}
    assert [skipped.letter.message_id for skipped in result.skipped] == [dead_letters.not_json]
    assert {queue: raw_order(queue) for queue in DLQ_TEST_QUEUES} == before
    assert world.calls_of(dead_letters.rule_acme) == 1
    with OpsUnitOfWork(get_store()) as ops:
        assert all(row.replays == 0 for row in ops.dead_letters.list())


def test_a_replayed_message_that_still_fails_gets_all_its_attempts_again(
    world: DeadLetterWorld, dead_letters: Sent
) -> None:
    assert world.calls_of(dead_letters.flaky) == FLAKY_ATTEMPTS

    replay_dead_letters(
        Selection(message_ids=frozenset({dead_letters.flaky})), settings=get_settings(), store=get_store()
    )

    # With the old retry count it would die after one more attempt; reset, it gets all of them.
    eventually(
        lambda: world.calls_of(dead_letters.flaky) == 2 * FLAKY_ATTEMPTS,
        what="the retries of the replay",
    )
    wait_for_dead_letters(EXPECTED)
    (letter,) = find_dead_letters(dead_letters.flaky, settings=get_settings(), store=get_store())
    assert letter.reason_code == "transient_error"
    assert letter.record is not None
    assert letter.record.attempts == FLAKY_ATTEMPTS
    assert letter.record.deaths == 2
    assert letter.record.replays == 1
    assert not letter.record.predates_last_replay
    assert len(letter.deaths) == 1  # the republished copy carried no old x-death
    assert world.calls_of(dead_letters.flaky) == 2 * FLAKY_ATTEMPTS


def test_a_body_that_is_not_a_dramatiq_message_is_not_replayed(dead_letters: Sent) -> None:
    result = replay_dead_letters(
        Selection(message_ids=frozenset({dead_letters.not_json})), settings=get_settings(), store=get_store()
    )

    assert result.replayed == []
    assert [s.letter.message_id for s in result.skipped] == [dead_letters.not_json]
    assert "purge it" in result.skipped[0].why
    assert lengths() == EXPECTED


def test_purge_deletes_only_the_selected_dead_letters_and_keeps_their_records(dead_letters: Sent) -> None:
    order = ids()

    result = purge_dead_letters(
        Selection(queues=(Queue.PROFILE_EXPORT,), reason_codes=frozenset({"unknown_actor"})),
        settings=get_settings(),
        store=get_store(),
    )

    assert [letter.message_id for letter in result.purged] == [dead_letters.no_actor]
    assert ids() == [i for i in order if i != dead_letters.no_actor]

    result = purge_dead_letters(Selection(tenant="globex"), settings=get_settings(), store=get_store())
    assert [letter.message_id for letter in result.purged] == [dead_letters.rule_globex]

    result = purge_dead_letters(Selection(), settings=get_settings(), store=get_store())
    assert len(result.purged) == 4
    assert lengths() == {Queue.PROFILE_EXPORT: 0, Queue.STATUS_PUSH: 0}
    with OpsUnitOfWork(get_store()) as ops:
        assert ops.dead_letters.get(dead_letters.no_actor) is not None


def test_a_replay_rabbitmq_does_not_confirm_leaves_the_dead_letters_in_place(dead_letters: Sent) -> None:
    before = {queue: raw_order(queue) for queue in DLQ_TEST_QUEUES}

    result = replay_dead_letters(
        Selection(queues=(Queue.PROFILE_EXPORT,)),
        publisher=FakePublisher(fail=True),
        settings=get_settings(),
        store=get_store(),
    )

    assert result.error is not None and "not confirmed" in result.error
    assert result.replayed == []
    assert len(result.not_confirmed) == 4
    assert {queue: raw_order(queue) for queue in DLQ_TEST_QUEUES} == before
    with OpsUnitOfWork(get_store()) as ops:
        assert all(row.replays == 0 and row.replayed_at is None for row in ops.dead_letters.list())


def test_a_message_that_dies_again_after_a_replay_without_a_record_is_shown_unrecorded(
    world: DeadLetterWorld, dead_letters: Sent
) -> None:
    world.stop()
    replay_dead_letters(
        Selection(message_ids=frozenset({dead_letters.rule_acme})), settings=get_settings(), store=get_store()
    )
    # Something other than the worker's recorder rejects it (a crash loop ended by RabbitMQ, say).
    with kombu.Connection(get_settings().broker_url) as conn:
        channel = conn.channel()
        message = channel.basic_get(Queue.PROFILE_EXPORT.value, no_ack=False)
        assert message is not None
        channel.basic_reject(message.delivery_tag, requeue=False)
        channel.close()
    wait_for_dead_letters(EXPECTED)

    (letter,) = find_dead_letters(dead_letters.rule_acme, settings=get_settings(), store=get_store())

    assert letter.reason_code == UNRECORDED
    assert letter.record is not None and letter.record.predates_last_replay
    assert "died again after its replay" in letter.reason
    assert "the death before: business_rule" in letter.reason
    assert letter.position == 3  # back at the tail
