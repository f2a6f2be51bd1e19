"""CPU of one scheduler tick at scale: 1,000 tenants with a Recruiter contract of 50 seats each.

    python -m bench.scheduler_tick [--tenants 1000] [--seats 50] [--ticks 5] [--profile out.prof]

Seeds a fresh PostgreSQL database (``--database sqlite`` for the embedded store): the tenants
(enabled), a contract each with its CSA_API integration enabled, the contract's cursor and its
seats' cursors (as after the first seat refresh), and one record LinkedIn has not seen for every
tenth tenant. Then runs ``--ticks`` ticks of the scheduler (``workers.scheduler.Scheduler.tick``)
with a publisher that keeps the messages, and reports each tick's CPU time in this process
(``time.process_time``: the database server's work is not counted) and wall time. The first tick
plans every seat's first poll; the ones after it find most seats queued, as in steady state.
Before the first tick the heap is frozen (``rsc.heap.freeze_startup_heap``), as ``rsc scheduler``
does once it has started.
``--profile`` runs one more tick under cProfile, writes its statistics there and prints the top
functions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from sqlalchemy import insert

from rsc.heap import freeze_startup_heap
from rsc.settings import Settings
from store.base import to_ms, utcnow
from store.contracts import RecruiterContract
from store.db import get_store
from store.integrations import IntegrationStatus, IntegrationType
from store.linkedin_sync import Resource
from store.migrate import upgrade
from store.prospect_polls import ContractCursor, SeatCursor
from store.tenants import Tenant, TenantStatus
from store.uow import UnitOfWork
from tests.fakes import FakePublisher
from tests.infra import TEST_SECRET_KEY, fresh_database, postgres_server
from workers.scheduler import Scheduler


@contextmanager
def database(kind: str, path: str) -> Iterator[str]:
    with ExitStack() as stack:
        if kind == "postgresql":
            url = stack.enter_context(fresh_database(stack.enter_context(postgres_server())))
        else:
            url = f"sqlite:///{path}"
        upgrade(get_store(url))
        yield url


def seed(url: str, tenants: int, seats: int) -> None:
    store = get_store(url)
    now = utcnow()
    from_ms = to_ms(now) - 14 * 86_400_000
    names = [f"t{n:04d}" for n in range(tenants)]
    with store.session(None) as session:
        for name in names:
            tenant = Tenant(id=name, org_urn=f"urn:li:organization:{name}", client_id=f"{name}-client")
            tenant.set_client_secret(store.keyring, "secret")
            tenant.set_status(TenantStatus.ENABLED, "seeded by the benchmark")
            session.add(tenant)
        session.flush()
        contract = {name: f"urn:li:contract:{100_000 + n}" for n, name in enumerate(names)}
        session.execute(insert(RecruiterContract), [{"tenant_id": n, "urn": contract[n]} for n in names])
        session.execute(
            insert(ContractCursor),
            [{"tenant_id": n, "contract": contract[n], "watermark_ms": from_ms} for n in names],
        )
        session.execute(
            insert(SeatCursor),
            [
                {
                    "tenant_id": n,
                    "seat": f"urn:li:seat:{1_000_000 + index * 1000 + s}",
                    "contract": contract[n],
                    "inmail_watermark_ms": from_ms,
                    "backfill_watermark_ms": from_ms,
                    "activity_per_h": float(s % 7),
                    "polls": 0,
                    "started_at": now,
                }
                for index, n in enumerate(names)
                for s in range(seats)
            ],
        )
        session.commit()
    for index, name in enumerate(names):
        with UnitOfWork(name, store) as uow:
            uow.integrations.observe(
                IntegrationType.CSA_API, contract[name], IntegrationStatus.ENABLED, modified_ms=None
            )
            if index % 10 == 0:
                uow.outbox.mark_changed(Resource.CANDIDATE, f"C-{index}")
            uow.commit()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--ticks", type=int, default=5)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--profile", default=None, help="write cProfile statistics here")
    args = parser.parse_args()
    os.environ.setdefault("RSC_SECRET_KEY", TEST_SECRET_KEY)
    with database(args.database, "/tmp/rsc-bench-scheduler.db") as url:
        os.environ["RSC_DATABASE_URL"] = url
        started = time.monotonic()
        seed(url, args.tenants, args.seats)
        print(f"seeded {args.tenants} tenants x {args.seats} seats in {time.monotonic() - started:.0f}s")
        settings = Settings(database_url=url, secret_key=TEST_SECRET_KEY)
        publisher = FakePublisher()
        scheduler = Scheduler(publisher, get_store(url), settings)
        # As `rsc scheduler` does before its first tick: what start-up (and the seeding) left alive
        # is kept out of the garbage collector's full collections.
        freeze_startup_heap()
        for tick in range(args.ticks):
            before = len(publisher.messages)
            cpu, wall = time.process_time(), time.perf_counter()
            scheduler.tick()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            sent = len(publisher.messages) - before
            print(f"tick {tick + 1}: cpu {cpu:.3f}s wall {wall:.3f}s messages {sent}", flush=True)
        if args.profile:
            # One more tick under the profiler (which slows it), apart from the measured ones.
            profiler = cProfile.Profile()
            profiler.enable()
            scheduler.tick()
            profiler.disable()
            profiler.dump_stats(args.profile)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
