"""candidate e-mail addresses are indexed by candidate, then tenant

``ix_candidate_emails_candidate`` (0012) led with ``tenant_id``. A group of snapshots refiles its
candidates' addresses by ``candidate_id = ANY(<the changed ids>)``; while the table had no
statistics (a new deployment, or any table before it is first analysed) PostgreSQL estimated a
tenant's rows as a handful and read them by tenant alone, so each group read every address of the
tenant, and storing a bulk import slowed with every candidate stored. The statement now looks each
candidate's rows up on its own (``store.candidate_changes``), by ``candidate_id`` and ``tenant_id``
both equal: led by ``candidate_id`` the index serves that lookup and no read by tenant alone.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("candidate_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_candidate_emails_candidate")
        batch_op.create_index("ix_candidate_emails_candidate", ["candidate_id", "tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("candidate_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_candidate_emails_candidate")
        batch_op.create_index("ix_candidate_emails_candidate", ["tenant_id", "candidate_id"], unique=False)
