"""stored covers and avatars; old cover links queued for fetching

Covers used to be any https address, loaded by every visitor's browser from wherever it
pointed. From here on the site stores images itself (webapp/media.py) and serves them from its
own origin. ``books.cover_url`` is kept as the address to fetch from: every book that has one
and no stored cover (``cover_key``) and was never looked at (``cover_checked_at``) is what the
worker's ``queue_cover_fetches`` job picks up, a batch every few minutes, so the old links are
fetched into storage without a burst at deploy time. Nothing renders ``cover_url`` any more.

Revision ID: 0017_media
Revises: 0016_search_titles
Create Date: 2026-11-26 00:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0017_media'
down_revision = '0016_search_titles'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('books', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cover_key', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('cover_checked_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('avatar_key', sa.String(length=20), nullable=True))
    # Only web addresses can be fetched; anything else was never a loadable cover.
    op.execute(
        "UPDATE books SET cover_url = NULL WHERE cover_url IS NOT NULL "
        "AND cover_url NOT LIKE 'https://%' AND cover_url NOT LIKE 'http://%'"
    )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('avatar_key')
    with op.batch_alter_table('books', schema=None) as batch_op:
        batch_op.drop_column('cover_checked_at')
        batch_op.drop_column('cover_key')
