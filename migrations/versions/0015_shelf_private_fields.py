"""shelf entries keep private notes, owned copies and content warnings; import-done mail setting

Revision ID: 0015_shelf_private_fields
Revises: 0014_versions
Create Date: 2026-11-26 00:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_shelf_private_fields'
down_revision = '0014_versions'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy): SQLite would otherwise rebuild shelf_entries, whose
    # shelf_tags cascade on delete.
    op.add_column('shelf_entries', sa.Column('private_notes', sa.Text(), nullable=True))
    op.add_column('shelf_entries', sa.Column('owned_copies', sa.SmallInteger(), nullable=False, server_default='0'))
    op.add_column('shelf_entries', sa.Column('content_warnings', sa.Text(), nullable=True))
    op.add_column('users', sa.Column('notify_imports', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('notify_imports')
    op.drop_column('shelf_entries', 'content_warnings')
    op.drop_column('shelf_entries', 'owned_copies')
    op.drop_column('shelf_entries', 'private_notes')
