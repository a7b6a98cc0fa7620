"""invitations with an expiry and a label; the first account claimed by one row

Revision ID: 0011
Revises: 0010

- invites get `expires_at` (an invitation link stops working after it) and `label` (who it
  is for, so the admin recognises open invitations in the list);
- the first account is claimed by inserting the `registration.first_account` row into
  system_state: its primary key lets exactly one of several simultaneous sign-ups win. An
  instance that already has accounts gets the row now.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FIRST_ACCOUNT = "registration.first_account"


def upgrade():
    op.add_column("invites", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "invites", sa.Column("label", sa.String(length=100), nullable=False, server_default="")
    )
    op.create_index("ix_invites_created_by_id", "invites", ["created_by_id"], unique=False)
    op.execute(
        sa.text(
            "INSERT INTO system_state (key, value, updated_at) "
            "SELECT :key, '{}', CURRENT_TIMESTAMP WHERE EXISTS (SELECT 1 FROM users)"
        ).bindparams(key=FIRST_ACCOUNT)
    )


def downgrade():
    op.execute(sa.text("DELETE FROM system_state WHERE key = :key").bindparams(key=FIRST_ACCOUNT))
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_index("ix_invites_created_by_id")
        batch_op.drop_column("label")
        batch_op.drop_column("expires_at")
