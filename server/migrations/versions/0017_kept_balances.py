"""kept balances: each person's give/take over the last 12 months on their contact row

Revision ID: 0017
Revises: 0016

Today's "give first" summed every link of the last 12 months on each rebuild (27,000 links
for 5,000 people). The sums are now kept on the contact with the span of time they hold for
(`server/models/balances.py`), with their difference indexed so "give first" reads only
the people I owe. A person's links index also carries the counts, so their sums are read
from it alone; with it, SQLite seeks each person's links even without planner statistics
(without, it read every link of the year for each person: 27 s for 5,000 people). Existing rows start uncounted (NULL span): readers sum their
links as before until the worker's pass has counted them, a batch at a time.
"""

import sqlalchemy as sa
from alembic import op

PERSON_LINKS = ["user_id", "contact_id", "occurred_at", "interaction_id"]

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("balance_gave", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("balance_received", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("balance", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("balance_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("balance_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_contacts_balance_until", ["balance_until"], unique=False)
        batch_op.create_index("ix_contacts_user_id_balance", ["user_id", "balance"], unique=False)
    with op.batch_alter_table("interaction_contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_interaction_contacts_user_id_contact_id")
        batch_op.create_index(
            "ix_interaction_contacts_user_id_contact_id",
            [*PERSON_LINKS, "gave_count", "received_count"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("interaction_contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_interaction_contacts_user_id_contact_id")
        batch_op.create_index("ix_interaction_contacts_user_id_contact_id", PERSON_LINKS, unique=False)
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_user_id_balance")
        batch_op.drop_index("ix_contacts_balance_until")
        batch_op.drop_column("balance_until")
        batch_op.drop_column("balance_at")
        batch_op.drop_column("balance")
        batch_op.drop_column("balance_received")
        batch_op.drop_column("balance_gave")
