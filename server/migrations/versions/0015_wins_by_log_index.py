"""wins by log entry: a partial index for loading the wins noted in a page of logs

Revision ID: 0015
Revises: 0014

Every page of the log loads the wins its entries noted (`wins.interaction_id IN (...)`). The
unique constraint's index also holds the hand-recorded wins, whose log is NULL; once ANALYZE
has run, SQLite reads that index as one key shared by every row and scans the whole table
instead (4 ms a page at 80,000 wins). This index holds only wins noted in a log.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

NOTED_IN_LOG = sa.text("interaction_id IS NOT NULL")


def upgrade():
    with op.batch_alter_table("wins", schema=None) as batch_op:
        batch_op.create_index(
            "ix_wins_interaction_id",
            ["interaction_id"],
            unique=False,
            sqlite_where=NOTED_IN_LOG,
            postgresql_where=NOTED_IN_LOG,
        )


def downgrade():
    with op.batch_alter_table("wins", schema=None) as batch_op:
        batch_op.drop_index("ix_wins_interaction_id")
