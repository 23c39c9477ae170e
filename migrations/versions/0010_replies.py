"""replies to reviews, reports on replies, reply mail setting

Revision ID: 0010_replies
Revises: 0009_library_imports
Create Date: 2026-11-25 23:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_replies'
down_revision = '0009_library_imports'
branch_labels = None
depends_on = None

_OPEN = sa.text("status = 'open'")


def upgrade():
    op.create_table('replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('hidden_kind', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_replies_review_id_reviews'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_replies_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replies'))
    )
    op.create_index('ix_replies_review_created', 'replies', ['review_id', 'created_at', 'id'], unique=False)
    op.create_index(op.f('ix_replies_user_id'), 'replies', ['user_id'], unique=False)
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_reports_reply_id_replies'), 'replies', ['reply_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index('uq_reports_open_reply', ['reply_id', 'reporter_id'], unique=True, sqlite_where=_OPEN, postgresql_where=_OPEN)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_replies', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('notify_replies')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('uq_reports_open_reply')
        batch_op.drop_constraint(batch_op.f('fk_reports_reply_id_replies'), type_='foreignkey')
        batch_op.drop_column('reply_id')
    op.drop_index(op.f('ix_replies_user_id'), table_name='replies')
    op.drop_index('ix_replies_review_created', table_name='replies')
    op.drop_table('replies')
