"""parked_items; contracts record their seat reads; stubs keep every shared contact; notes keep the
visibility LinkedIn sent

- ``parked_items``: polled items (and seats) no reader could read, kept whole with the query that
  returned them and why, until ``rsc parked replay`` reads them again or an operator drops them.
- ``recruiter_contracts``: each contract's last successful seat read, and its last failed one (the
  error, when, failures in a row, when it is tried again on its own).
- ``mail_stubs.other_emails`` / ``other_phones``: every address and number a stub listed.
- ``prospect_notes.visibility_sent``: the visibility as LinkedIn wrote it (NULL: it sent none; such
  a note is Only me).

Existing rows get empty lists, no failures, and no visibility as sent.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import store.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "parked_items",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=200), nullable=True),
        sa.Column("member_urn", sa.String(length=200), nullable=True),
        sa.Column("item", JSON, nullable=False),
        sa.Column("asked", JSON, nullable=False),
        sa.Column("reason_code", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("first_parked_at", store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_parked_at", store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("times_parked", sa.Integer(), nullable=False),
        sa.Column("replayed_at", store.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "key", name=op.f("pk_parked_items")),
    )
    with op.batch_alter_table("parked_items", schema=None) as batch_op:
        batch_op.create_index("ix_parked_items_state", ["tenant_id", "state", "reason_code"], unique=False)

    with op.batch_alter_table("mail_stubs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("other_emails", JSON, nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("other_phones", JSON, nullable=False, server_default=sa.text("'[]'")))

    with op.batch_alter_table("prospect_notes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visibility_sent", sa.String(length=64), nullable=True))

    with op.batch_alter_table("recruiter_contracts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seats_read_at", store.base.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("seats_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("seats_failed_at", store.base.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("seats_failures", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("seats_retry_at", store.base.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recruiter_contracts", schema=None) as batch_op:
        batch_op.drop_column("seats_retry_at")
        batch_op.drop_column("seats_failures")
        batch_op.drop_column("seats_failed_at")
        batch_op.drop_column("seats_error")
        batch_op.drop_column("seats_read_at")

    with op.batch_alter_table("prospect_notes", schema=None) as batch_op:
        batch_op.drop_column("visibility_sent")

    with op.batch_alter_table("mail_stubs", schema=None) as batch_op:
        batch_op.drop_column("other_phones")
        batch_op.drop_column("other_emails")

    with op.batch_alter_table("parked_items", schema=None) as batch_op:
        batch_op.drop_index("ix_parked_items_state")

    op.drop_table("parked_items")
