"""tenants: the provisioned customer app and its secret's rotation

``app_urn`` is the customer app this pipeline provisioned with the partner app (null for credentials
typed in); ``secret_id``, ``secret_rotated_at`` and the last failed rotation (``secret_rotation_failed_at``,
``secret_rotation_error``) let the scheduler rotate each secret after RSC_SECRET_ROTATION_DAYS and
`rsc tenant status` show when it last did.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa

import store.base
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("app_urn", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("secret_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("secret_rotated_at", store.base.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("secret_rotation_failed_at", store.base.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("secret_rotation_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("secret_rotation_error")
        batch_op.drop_column("secret_rotation_failed_at")
        batch_op.drop_column("secret_rotated_at")
        batch_op.drop_column("secret_id")
        batch_op.drop_column("app_urn")
