"""The bare ceiling: a Dramatiq actor that commits one one-row transaction per message.

Same broker, middleware, worker processes and threads as the pipeline's workers, so the ratio of a
feature's rate to this one is the cost of the feature's own work.
"""

from __future__ import annotations

import dramatiq
import sqlalchemy as sa

import workers.broker  # noqa: F401  (installs the project's broker and middleware)
from store.db import get_store

QUEUE = "bench_ceiling"
ACTOR = "commit_one_row"

rows = sa.Table(
    "bench_rows",
    sa.MetaData(),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("payload", sa.Text, nullable=False),
)


def create_table() -> None:
    rows.create(get_store().engine, checkfirst=True)


def count_rows() -> int:
    with get_store().engine.connect() as conn:
        return int(conn.scalar(sa.select(sa.func.count()).select_from(rows)) or 0)


@dramatiq.actor(queue_name=QUEUE, actor_name=ACTOR)
def commit_one_row(event: dict[str, str]) -> None:
    with get_store().engine.begin() as conn:
        conn.execute(rows.insert().values(id=event["id"], payload=event["payload"]))
