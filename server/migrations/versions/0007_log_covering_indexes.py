"""log covering indexes: the log ids ride along in the time indexes

Revision ID: 0007
Revises: 0006

- interaction_contacts by (user, time) also carries the interaction id, so Habits' "who was
  there" counts (in person, with mentors, with mentees) read the index alone;
- interactions by (user, time, kind) also carries the id, so "in-person logs in the window"
  is read from the index alone.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("interaction_contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_interaction_contacts_user_id_occurred_at")
        batch_op.create_index(
            "ix_interaction_contacts_user_id_occurred_at",
            ["user_id", "occurred_at", "contact_id", "gave_count", "received_count",
             "interaction_id"],
            unique=False,
        )
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_user_id_occurred_at")
        batch_op.create_index(
            "ix_interactions_user_id_occurred_at",
            ["user_id", "occurred_at", "kind", "id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_user_id_occurred_at")
        batch_op.create_index(
            "ix_interactions_user_id_occurred_at", ["user_id", "occurred_at", "kind"], unique=False
        )
    with op.batch_alter_table("interaction_contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_interaction_contacts_user_id_occurred_at")
        batch_op.create_index(
            "ix_interaction_contacts_user_id_occurred_at",
            ["user_id", "occurred_at", "contact_id", "gave_count", "received_count"],
            unique=False,
        )
