"""structured names and photos on contacts

Revision ID: 0012
Revises: 0011

- `name_parts` (JSON): the vCard N parts, each a list, so a card's N round-trips;
- `sort_name`: given, additional and family name, case-folded, indexed with the user, so
  People sorts by name rather than by "Dr." or "Mr."; filled here for existing contacts;
- `photo` (a resized JPEG) and `has_photo`, so lists know without loading the image.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, not a batch rebuild: rebuilding contacts on SQLite drops the old table,
    # and with foreign keys on that cascades into every table that points at it.
    op.add_column("contacts", sa.Column("name_parts", sa.JSON(), nullable=True))
    op.add_column(
        "contacts", sa.Column("sort_name", sa.String(length=200), nullable=False, server_default="")
    )
    op.add_column("contacts", sa.Column("photo", sa.LargeBinary(), nullable=True))
    op.add_column(
        "contacts", sa.Column("has_photo", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_index("ix_contacts_user_id_sort_name", "contacts", ["user_id", "sort_name"], unique=False)
    # Existing contacts sort by their name as written until they are next saved or imported.
    op.execute(sa.text("UPDATE contacts SET sort_name = lower(substr(name, 1, 200))"))


def downgrade():
    op.drop_index("ix_contacts_user_id_sort_name", table_name="contacts")
    for column in ("has_photo", "photo", "sort_name", "name_parts"):
        op.drop_column("contacts", column)  # native DROP COLUMN: no rebuild, no cascade
