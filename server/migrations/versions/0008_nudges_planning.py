"""nudges: re-planning marks per user, a contact's own in-person cadence, big wins

Revision ID: 0008_nudges
Revises: 0008_phone

- replan_marks: the planning pass looks only at users whose mark moved (a write that changes
  what is due) or whose local day changed, not at everyone;
- contacts.face_time_days: a separate in-person cadence (e.g. lunch every 90 days);
- wins.big: a win worth a one-year anniversary nudge;
- channel_deliveries: a notification sent by e-mail or ntfy, once per channel.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_nudges"
down_revision = "0008_calendars"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "replan_marks",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("planned_version", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("replan_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(100), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_replan_marks_replan_at", "replan_marks", ["replan_at"])
    op.create_table(
        "channel_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("notification_id", sa.Integer(),
                  sa.ForeignKey("notifications.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("detail", sa.String(300), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("notification_id", "channel"),
    )
    op.create_index("ix_channel_deliveries_notification_id", "channel_deliveries",
                    ["notification_id"])
    op.execute("INSERT INTO replan_marks (user_id, version, planned_version) "
               "SELECT id, 1, 0 FROM users")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("face_time_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("wins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("big", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    op.drop_index("ix_channel_deliveries_notification_id", table_name="channel_deliveries")
    op.drop_table("channel_deliveries")
    with op.batch_alter_table("wins", schema=None) as batch_op:
        batch_op.drop_column("big")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("face_time_days")
    op.drop_index("ix_replan_marks_replan_at", table_name="replan_marks")
    op.drop_table("replan_marks")
