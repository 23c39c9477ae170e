"""follows, blocks, mutes; users.is_private

Revision ID: 0006_follows_blocks
Revises: 0005_username_fold
Create Date: 2026-11-25 22:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_follows_blocks'
down_revision = '0005_username_fold'
branch_labels = None
depends_on = None


def _pair(table, first, second, *extra):
    op.create_table(table,
    sa.Column(first, sa.Integer(), nullable=False),
    sa.Column(second, sa.Integer(), nullable=False),
    *extra,
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(f'{first} <> {second}', name=op.f(f'ck_{table}_not_self')),
    sa.ForeignKeyConstraint([first], ['users.id'], name=op.f(f'fk_{table}_{first}_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint([second], ['users.id'], name=op.f(f'fk_{table}_{second}_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint(first, second, name=op.f(f'pk_{table}')),
    )


def upgrade():
    _pair('follows', 'follower_id', 'followee_id',
          sa.Column('status', sa.String(length=8), nullable=False))
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_follows_status'), "status IN ('active', 'pending')")
        batch_op.create_index('ix_follows_followee_status', ['followee_id', 'status', 'created_at'], unique=False)
        batch_op.create_index('ix_follows_follower_status', ['follower_id', 'status', 'created_at'], unique=False)
    _pair('blocks', 'blocker_id', 'blocked_id')
    with op.batch_alter_table('blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blocks_blocked_id'), ['blocked_id'], unique=False)
    _pair('mutes', 'muter_id', 'muted_id')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_private', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_private')
    op.drop_table('mutes')
    with op.batch_alter_table('blocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blocks_blocked_id'))
    op.drop_table('blocks')
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.drop_index('ix_follows_follower_status')
        batch_op.drop_index('ix_follows_followee_status')
    op.drop_table('follows')
