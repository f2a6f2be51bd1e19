"""linkedin_tokens and linkedin_batch_leases: tokens shared by every process, batch calls in sequence

``linkedin_tokens`` keeps one access token per customer app (encrypted) and who is minting the next
one, so every process and host reuses one token instead of minting its own. ``linkedin_batch_leases``
lets one process at a time send a batch call of an app to a resource family.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "linkedin_tokens",
        sa.Column("app_id", sa.String(length=200), nullable=False),
        sa.Column("token_enc", sa.Text(), nullable=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("renew_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("minter", sa.String(length=64), nullable=True),
        sa.Column("minting_until_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("app_id", name=op.f("pk_linkedin_tokens")),
    )
    op.create_table(
        "linkedin_batch_leases",
        sa.Column("app_id", sa.String(length=200), nullable=False),
        sa.Column("family", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("lease_until_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("app_id", "family", name=op.f("pk_linkedin_batch_leases")),
    )


def downgrade() -> None:
    op.drop_table("linkedin_batch_leases")
    op.drop_table("linkedin_tokens")
