"""data versions of cached pages

Revision ID: 0014_versions
Revises: 0013_feed_events
Create Date: 2026-11-26 00:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_versions'
down_revision = '0013_feed_events'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('versions',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.Integer(), nullable=False),
    sa.Column('v', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'key', name=op.f('pk_versions'))
    )


def downgrade():
    op.drop_table('versions')
