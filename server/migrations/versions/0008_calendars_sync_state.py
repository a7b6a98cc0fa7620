"""calendar sync state: progress, the plain reason, known-people count, slow-feed strikes

Revision ID: 0008_calendars
Revises: 0007

- sync_state: queued / fetching / reading / idle, so the page can show a first fetch progressing;
- problem: the kind of failure (or of empty result) from the outcome registry;
- known_count: meetings in the window with at least one person the user knows;
- slow_strikes: how many recent fetches were slow, which shortens the feed's next deadline;
- sync_requested_at: when "sync now" (or an upload) last asked, for the throttle.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_calendars"
down_revision = "0008_phone"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("calendars", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sync_state", sa.String(length=10), nullable=False, server_default="idle")
        )
        batch_op.add_column(sa.Column("problem", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("known_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("slow_strikes", sa.SmallInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("sync_requested_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("calendars", schema=None) as batch_op:
        batch_op.drop_column("sync_requested_at")
        batch_op.drop_column("slow_strikes")
        batch_op.drop_column("known_count")
        batch_op.drop_column("problem")
        batch_op.drop_column("sync_state")
