"""Group commit: messages that a worker process's threads hold at the same moment share a transaction.

A message's own work is two statements (its inbox claim and its write), but its transaction costs
as much again around them: a connection checkout with its liveness ping, BEGIN and COMMIT (with its
WAL flush). In a group the claims are one statement, so a message adds only its write. Under load a
worker's threads each hold a message at the same time, so they take turns: the first thread to
arrive runs every message waiting at that moment (up to ``max_batch``) in one transaction, and
the others wait for their result. At low load a message finds nobody waiting and runs alone, so no
latency is added to wait for company.

Each message still keeps its own outcome: ``run`` hands every item its result or its exception,
and the thread that received the message returns or raises it to Dramatiq (acknowledged, retried or
dead-lettered as before). Each item runs in the ``contextvars`` context of the thread that
submitted it, so its log lines carry its own event, tenant and masked values.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from rsc.logs import get_logger
from store.db import Store
from store.tombstones import Guard
from store.uow import UnitOfWork

log = get_logger(__name__)

T = TypeVar("T")
R = TypeVar("R")


@dataclass(eq=False)
class Submitted(Generic[T]):
    """An item waiting in a group, with the context of the thread that submitted it."""

    item: T
    context: contextvars.Context = field(default_factory=contextvars.copy_context)

    def run(self, function: Callable[..., R], *args: object) -> R:
        """``function(*args)`` in the submitting thread's context."""
        return self.context.run(function, *args)


@dataclass(eq=False)
class _Slot(Generic[T, R]):
    submitted: Submitted[T]
    taken: bool = False  # by a group
    done: bool = False
    result: R | None = None
    error: BaseException | None = None


Outcomes = Sequence[R | BaseException]


class GroupCommit(Generic[T, R]):
    """Runs ``run(group)`` for the items submitted together; ``run`` returns one outcome per item,
    in order: its result, or the exception its submitter raises.

    ``then(group, outcomes)`` (optional) runs after ``run``, once the next group may start: what
    must follow a group's commit but not hold up the next one (the confirms of the messages it sends
    on); it returns the outcomes the items end with.
    """

    def __init__(
        self,
        run: Callable[[Sequence[Submitted[T]]], Outcomes[R]],
        *,
        max_batch: int = 16,
        then: Callable[[Sequence[Submitted[T]], Outcomes[R]], Outcomes[R]] | None = None,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._run = run
        self._then = then
        self._max_batch = max_batch
        self._changed = threading.Condition()  # guards the state below; notified when it changes
        self._waiting: list[_Slot[T, R]] = []
        self._running = False  # a thread runs a group's ``run``

    def submit(self, item: T) -> R:
        """Run ``item`` in the next group (this thread may run that group); its result, or raise."""
        slot: _Slot[T, R] = _Slot(Submitted(item))
        with self._changed:
            self._waiting.append(slot)
        while True:
            with self._changed:
                while not slot.done and (slot.taken or self._running):
                    self._changed.wait()
                if slot.done:
                    break
                # This thread runs the next group (its own item among the first waiting).
                group = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                for taken in group:
                    taken.taken = True
                self._running = True
            self._run_group(group)
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]

    def _run_group(self, group: list[_Slot[T, R]]) -> None:
        submitted = [slot.submitted for slot in group]
        try:
            try:
                outcomes = self._outcomes(self._run, submitted, len(group))
            finally:
                with self._changed:
                    self._running = False
                    self._changed.notify_all()
            if self._then is not None:
                outcomes = self._outcomes(lambda items: self._then(items, outcomes), submitted, len(group))  # type: ignore[misc]
        except BaseException as exc:  # every item of the group fails with it; none is left waiting
            self._settle(group, [exc] * len(group))
            if not isinstance(exc, Exception):
                raise  # an interrupt of this thread (a time limit, a shutdown) is its own to raise too
            return
        self._settle(group, outcomes)

    @staticmethod
    def _outcomes(
        step: Callable[[Sequence[Submitted[T]]], Outcomes[R]], items: Sequence[Submitted[T]], size: int
    ) -> Outcomes[R]:
        outcomes = step(items)
        if len(outcomes) != size:
            raise RuntimeError(f"a group of {size} items returned {len(outcomes)} outcomes")
        return outcomes

    def _settle(self, group: list[_Slot[T, R]], outcomes: Outcomes[R]) -> None:
        with self._changed:
            for slot, outcome in zip(group, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    slot.error = outcome
                else:
                    slot.result = outcome
                slot.done = True
            self._changed.notify_all()


class TenantItem(Protocol):
    """What a group's items carry: the tenant whose transaction they belong in, and their inbox key."""

    @property
    def tenant(self) -> str: ...

    @property
    def source(self) -> str: ...

    @property
    def id(self) -> str: ...


ItemT = TypeVar("ItemT", bound=TenantItem)
S = TypeVar("S")


@dataclass(frozen=True)
class GroupSteps(Generic[ItemT, S, R]):
    """How a consumer writes a group of its items (``in_tenant_transactions``).

    ``order``: the key a tenant's items are taken in. ``guards``: an item's tombstone guards.
    ``step``: one claimed item's writes inside the transaction, given its guards (their locks held
    already). ``repeated``: what an item the inbox had claimed before did (it writes nothing).
    ``settle``: after the commit, what ``step`` or ``repeated`` returned turned into the item's result
    (metrics and log lines belong there: they must not count work rolled back). ``alone``: an item
    in a transaction of its own, claim included. ``step_all`` (optional): the claimed items' writes
    at once, in ``order``, given each one's guards; what ``step`` would have returned for each, as
    if they ran one after the other (a store writes several records in one statement that way).
    """

    consumer: str
    order: Callable[[ItemT], str]
    guards: Callable[[ItemT, UnitOfWork], list[Guard]]
    step: Callable[[ItemT, UnitOfWork, list[Guard]], S]
    repeated: Callable[[ItemT], S]
    settle: Callable[[ItemT, S], R]
    alone: Callable[[ItemT, UnitOfWork], R]
    step_all: Callable[[Sequence[Submitted[ItemT]], UnitOfWork, Sequence[list[Guard]]], list[S]] | None = None


def in_tenant_transactions(
    group: Sequence[Submitted[ItemT]], *, store: Store, steps: GroupSteps[ItemT, S, R]
) -> list[R | BaseException]:
    """Run a group in one transaction per tenant; each item's outcome, or its exception.

    A tenant's items are taken in ``steps.order``. Their inbox claims are one statement, which on
    PostgreSQL takes every item's tombstone guard locks too, in key order, so two groups (or a
    group and an erasure) touching the same records lock them in the same order. An event the inbox
    holds already, or listed twice in the group, is repeated after its first claim. A tenant's lone
    item runs as ``steps.alone`` does, and so does each item again if the group's transaction
    fails: nothing of it was committed, and one item's failure is never another's.
    """
    outcomes: dict[int, R | BaseException] = {}
    tenants: dict[str, list[int]] = {}
    for n, submitted in enumerate(group):
        tenants.setdefault(submitted.item.tenant, []).append(n)
    for tenant, numbers in tenants.items():
        if len(numbers) > 1:
            numbers.sort(key=lambda n: steps.order(group[n].item))
            try:
                written = _one_transaction(UnitOfWork(tenant, store), [group[n] for n in numbers], steps)
            except Exception as exc:  # each on its own, below
                log.info(
                    "group transaction failed; each runs alone",
                    size=len(numbers),
                    error_class=type(exc).__name__,
                )
            else:
                for n, done in zip(numbers, written, strict=True):
                    try:
                        outcomes[n] = group[n].run(steps.settle, group[n].item, done)
                    except Exception as exc:
                        outcomes[n] = exc
                continue
        for n in numbers:
            try:
                outcomes[n] = group[n].run(steps.alone, group[n].item, UnitOfWork(tenant, store))
            except Exception as exc:
                outcomes[n] = exc
    return [outcomes[n] for n in range(len(group))]


def _one_transaction(
    uow: UnitOfWork, items: Sequence[Submitted[ItemT]], steps: GroupSteps[ItemT, S, R]
) -> list[S]:
    """One tenant's items written in one transaction, claims first; what each step returned."""
    with uow:
        held = [steps.guards(submitted.item, uow) for submitted in items]
        keys = [(submitted.item.source, submitted.item.id) for submitted in items]
        claimed = uow.inbox.record_all(steps.consumer, keys, guards=[g for guards in held for g in guards])
        written: dict[int, S] = {}
        first: list[int] = []  # the claimed items, each once: a second copy in the group is a repeat
        for n, (submitted, key) in enumerate(zip(items, keys, strict=True)):
            if key in claimed:
                claimed.discard(key)
                first.append(n)
            else:
                written[n] = steps.repeated(submitted.item)
        if steps.step_all is not None:
            done = steps.step_all([items[n] for n in first], uow, [held[n] for n in first])
        else:
            done = [items[n].run(steps.step, items[n].item, uow, held[n]) for n in first]
        written.update(zip(first, done, strict=True))
        uow.commit()
    return [written[n] for n in range(len(items))]
