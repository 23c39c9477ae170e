"""library imports (Goodreads / StoryGraph) with per-row outcomes

Revision ID: 0009_library_imports
Revises: 0008_mail_jobs
Create Date: 2026-11-25 23:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_library_imports'
down_revision = '0008_mail_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('library_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('choice', sa.String(length=12), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done_rows', sa.Integer(), nullable=False),
    sa.Column('matched', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('header', sa.JSON(), nullable=False),
    sa.Column('outcomes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_library_imports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_imports'))
    )
    with op.batch_alter_table('library_imports', schema=None) as batch_op:
        batch_op.create_index('ix_library_imports_user', ['user_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('library_imports', schema=None) as batch_op:
        batch_op.drop_index('ix_library_imports_user')
    op.drop_table('library_imports')
