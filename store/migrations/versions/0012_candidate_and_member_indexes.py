"""candidates' member and members' match-due indexes cover only the rows with a value; candidate
e-mail addresses are indexed by candidate

``uq_candidates_tenant_id_person_urn`` held every candidate, most with no member (NULL), and
``ix_members_match_due`` every member, most not due. Both lead with ``tenant_id``, as the primary
key does, so PostgreSQL could pick them for a foreign key's check by primary key, planned once per
connection while the table was new (no statistics yet): each check then read every row of the
tenant, and storing a bulk import's candidates slowed with every candidate stored. Every query of
these indexes asks for a value, so they now cover only the rows that have one.

A candidate's e-mail addresses were found through the primary key (tenant, address, candidate),
which holds every address of the tenant before the candidate: refiling a snapshot's addresses, and
deleting a candidate's with it, read them all. ``ix_candidate_emails_candidate`` finds them.

Revision ID: 0012
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _where(condition: str) -> dict[str, sa.TextClause]:
    return {"postgresql_where": sa.text(condition), "sqlite_where": sa.text(condition)}


def upgrade() -> None:
    with op.batch_alter_table("candidate_emails", schema=None) as batch_op:
        batch_op.create_index("ix_candidate_emails_candidate", ["tenant_id", "candidate_id"], unique=False)
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_constraint("uq_candidates_tenant_id_person_urn", type_="unique")
        batch_op.create_index(
            "uq_candidates_tenant_id_person_urn",
            ["tenant_id", "person_urn"],
            unique=True,
            **_where("person_urn IS NOT NULL"),
        )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index("ix_members_match_due")
        batch_op.create_index(
            "ix_members_match_due", ["tenant_id", "match_due_since"], **_where("match_due_since IS NOT NULL")
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index("ix_members_match_due")
        batch_op.create_index("ix_members_match_due", ["tenant_id", "match_due_since"], unique=False)
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_index("uq_candidates_tenant_id_person_urn")
        batch_op.create_unique_constraint("uq_candidates_tenant_id_person_urn", ["tenant_id", "person_urn"])
    with op.batch_alter_table("candidate_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_candidate_emails_candidate")
