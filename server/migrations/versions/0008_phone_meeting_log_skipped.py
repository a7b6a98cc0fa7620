"""meeting log skipped: "not worth logging" closes a meeting's prompt for good

Revision ID: 0008_phone
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_phone"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("log_skipped_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("log_skipped_at")
