"""books.cover_queued_at: one queued cover fetch per book

A book's cover fetch was queued on every first view (several visitors at once), when it was
added and by the sweep every five minutes until the worker got to it. The queue time is the
claim now: a job is queued only by the request that sets it, and again only once it is an hour
old (a job that failed every retry, or was lost with its worker). Existing rows start
unclaimed.

Revision ID: 0019_cover_queue
Revises: 0018_text_only_reviews
Create Date: 2026-11-26 04:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0019_cover_queue'
down_revision = '0018_text_only_reviews'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('books', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cover_queued_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('books', schema=None) as batch_op:
        batch_op.drop_column('cover_queued_at')
