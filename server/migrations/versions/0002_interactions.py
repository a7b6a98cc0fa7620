"""give/take log: interactions, their people, given/received items, challenges, wins

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('interactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('challenge', sa.Text(), nullable=True),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('follow_up_done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('follow_up_snoozed_until', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_interactions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interactions')),
    sa.UniqueConstraint('uuid', name=op.f('uq_interactions_uuid'))
    )
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interactions_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index('ix_interactions_user_id_follow_up', ['user_id', 'follow_up_done_at', 'follow_up_on', 'follow_up_snoozed_until'], unique=False)
        batch_op.create_index('ix_interactions_user_id_occurred_at', ['user_id', 'occurred_at', 'kind'], unique=False)

    op.create_table('challenges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('interaction_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('noted_on', sa.Date(), nullable=False),
    sa.Column('check_in_on', sa.Date(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_challenges_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_challenges_interaction_id_interactions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_challenges_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_challenges'))
    )
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_challenges_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_challenges_interaction_id'), ['interaction_id'], unique=False)
        batch_op.create_index('ix_challenges_user_id_resolved_at', ['user_id', 'resolved_at', 'check_in_on'], unique=False)

    op.create_table('give_take_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interaction_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('promised', sa.Boolean(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_give_take_items_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_give_take_items_interaction_id_interactions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_give_take_items_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_give_take_items'))
    )
    with op.batch_alter_table('give_take_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_give_take_items_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_give_take_items_interaction_id'), ['interaction_id'], unique=False)
        batch_op.create_index('ix_give_take_items_user_id_occurred_at', ['user_id', 'occurred_at', 'direction', 'category', 'interaction_id'], unique=False)
        batch_op.create_index('ix_give_take_items_user_id_promised', ['user_id', 'promised', 'delivered_at'], unique=False)

    op.create_table('interaction_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interaction_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('gave_count', sa.SmallInteger(), nullable=False),
    sa.Column('received_count', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_interaction_contacts_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_interaction_contacts_interaction_id_interactions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_interaction_contacts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interaction_contacts')),
    sa.UniqueConstraint('interaction_id', 'contact_id', name=op.f('uq_interaction_contacts_interaction_id_contact_id'))
    )
    with op.batch_alter_table('interaction_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interaction_contacts_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index('ix_interaction_contacts_user_id_contact_id', ['user_id', 'contact_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_interaction_contacts_user_id_occurred_at', ['user_id', 'occurred_at', 'contact_id', 'gave_count', 'received_count'], unique=False)

    op.create_table('wins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('congratulated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_wins_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_wins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wins'))
    )
    with op.batch_alter_table('wins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wins_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index('ix_wins_user_id_congratulated_at', ['user_id', 'congratulated_at'], unique=False)



def downgrade():
    with op.batch_alter_table('wins', schema=None) as batch_op:
        batch_op.drop_index('ix_wins_user_id_congratulated_at')
        batch_op.drop_index(batch_op.f('ix_wins_contact_id'))

    op.drop_table('wins')
    with op.batch_alter_table('interaction_contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_interaction_contacts_user_id_occurred_at')
        batch_op.drop_index('ix_interaction_contacts_user_id_contact_id')
        batch_op.drop_index(batch_op.f('ix_interaction_contacts_contact_id'))

    op.drop_table('interaction_contacts')
    with op.batch_alter_table('give_take_items', schema=None) as batch_op:
        batch_op.drop_index('ix_give_take_items_user_id_promised')
        batch_op.drop_index('ix_give_take_items_user_id_occurred_at')
        batch_op.drop_index(batch_op.f('ix_give_take_items_interaction_id'))
        batch_op.drop_index(batch_op.f('ix_give_take_items_contact_id'))

    op.drop_table('give_take_items')
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.drop_index('ix_challenges_user_id_resolved_at')
        batch_op.drop_index(batch_op.f('ix_challenges_interaction_id'))
        batch_op.drop_index(batch_op.f('ix_challenges_contact_id'))

    op.drop_table('challenges')
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_user_id_occurred_at')
        batch_op.drop_index('ix_interactions_user_id_follow_up')
        batch_op.drop_index(batch_op.f('ix_interactions_meeting_id'))

    op.drop_table('interactions')
