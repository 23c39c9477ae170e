"""account archives ("Download everything" JSON, expiring)

Revision ID: 0011_account_archives
Revises: 0010_replies
Create Date: 2026-11-25 23:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_account_archives'
down_revision = '0010_replies'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_archives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('data', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_archives_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_archives')),
    sa.UniqueConstraint('token', name=op.f('uq_account_archives_token'))
    )
    with op.batch_alter_table('account_archives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_archives_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('account_archives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_archives_user_id'))
    op.drop_table('account_archives')
