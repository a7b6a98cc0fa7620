"""token scopes: what a personal API token may do

Revision ID: 0013
Revises: 0012

Each token carries the scopes chosen at its creation (space-separated: read, log, write,
admin). Tokens made before scopes existed keep working for everyday use as `write`; the
admin routes (tokens, account, export, restore) need a new token with `admin`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scopes", sa.String(length=64), nullable=False, server_default="write")
        )


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("scopes")
