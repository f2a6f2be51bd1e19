"""applications: index (tenant, candidate, job, id) instead of (tenant, candidate)

An export looks up the candidate's first application to the export's job. With only
(tenant_id, candidate_id) indexed, PostgreSQL could answer that ``ORDER BY id LIMIT 1`` by walking
the tenant's primary key and filtering, one index entry per application of the tenant. The new
index answers it as one ordered range and still serves every lookup by candidate.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_applications_candidate_job", ["tenant_id", "candidate_id", "job_id", "id"], unique=False
        )
        batch_op.drop_index("ix_applications_candidate")


def downgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index("ix_applications_candidate", ["tenant_id", "candidate_id"], unique=False)
        batch_op.drop_index("ix_applications_candidate_job")
