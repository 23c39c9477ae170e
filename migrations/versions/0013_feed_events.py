"""feed events: reads started and finished, lists made

Lists made before this revision get their "listed" event at the time they were made, so
followers' feeds show them. Reads are not back-filled: most existing reads came from imports
or ratings, and a flood of old "finished" entries would bury the feed.

Revision ID: 0013_feed_events
Revises: 0012_lists
Create Date: 2026-11-26 00:21:13
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_feed_events'
down_revision = '0012_lists'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feed_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('read_id', sa.Integer(), nullable=True),
    sa.Column('list_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('started', 'finished', 'listed')", name=op.f('ck_feed_events_feed_event_kind')),
    sa.ForeignKeyConstraint(['list_id'], ['book_lists.id'], name=op.f('fk_feed_events_list_id_book_lists'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['read_id'], ['reads.id'], name=op.f('fk_feed_events_read_id_reads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feed_events_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_events')),
    sa.UniqueConstraint('read_id', 'kind', name='uq_feed_events_read_kind')
    )
    op.create_index('ix_feed_events_list', 'feed_events', ['list_id'], unique=False)
    op.create_index('ix_feed_events_user_created', 'feed_events', ['user_id', 'created_at', 'id'], unique=False)
    op.execute(
        "INSERT INTO feed_events (user_id, kind, list_id, created_at)"
        " SELECT user_id, 'listed', id, created_at FROM book_lists ORDER BY created_at, id"
    )


def downgrade():
    op.drop_index('ix_feed_events_user_created', table_name='feed_events')
    op.drop_index('ix_feed_events_list', table_name='feed_events')
    op.drop_table('feed_events')
