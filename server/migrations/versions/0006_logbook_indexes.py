"""log book indexes: covering indexes for the habits window and the people's logs

Revision ID: 0006
Revises: 0005

- interaction_contacts by (user, contact, time) also carries the interaction id, so "logs
  with my mentors" reads the index alone;
- interactions whose log notes a challenge, by (user, time): a small partial index for the
  empathy count.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CHALLENGE_NOTED = sa.text("challenge IS NOT NULL")


def upgrade():
    with op.batch_alter_table("interaction_contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_interaction_contacts_user_id_contact_id")
        batch_op.create_index(
            "ix_interaction_contacts_user_id_contact_id",
            ["user_id", "contact_id", "occurred_at", "interaction_id"],
            unique=False,
        )
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interactions_user_id_challenge",
            ["user_id", "occurred_at", "id"],
            unique=False,
            sqlite_where=CHALLENGE_NOTED,
            postgresql_where=CHALLENGE_NOTED,
        )


def downgrade():
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_user_id_challenge")
    with op.batch_alter_table("interaction_contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_interaction_contacts_user_id_contact_id")
        batch_op.create_index(
            "ix_interaction_contacts_user_id_contact_id",
            ["user_id", "contact_id", "occurred_at"],
            unique=False,
        )
