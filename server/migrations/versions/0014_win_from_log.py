"""a win noted in a log entry

Revision ID: 0014
Revises: 0013

`wins.interaction_id` links a win to the log entry that noted it: unique, so replaying the
entry never makes a second win, and removed with that entry. Wins recorded by hand have none.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    # Nothing points at `wins`, so the SQLite batch rebuild cascades into no other table.
    with op.batch_alter_table("wins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("interaction_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_wins_interaction_id_interactions", "interactions", ["interaction_id"], ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint("uq_wins_interaction_id", ["interaction_id"])


def downgrade():
    with op.batch_alter_table("wins", schema=None) as batch_op:
        batch_op.drop_constraint("uq_wins_interaction_id", type_="unique")
        batch_op.drop_constraint("fk_wins_interaction_id_interactions", type_="foreignkey")
        batch_op.drop_column("interaction_id")
