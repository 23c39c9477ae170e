"""username fold: look-alike usernames (case, - _ ., TR39 confusables) share one unique key

Revision ID: 0005_username_fold
Revises: 0004_login_sessions
Create Date: 2026-11-25 22:10:00

Existing accounts are backfilled in id order. Should two of them already fold alike, the later
one keeps its name and gets ``fold#id`` (unique, and no name folds to it), so nothing is lost
and only new names are held to the rule.
"""
from alembic import op
import sqlalchemy as sa

from webapp.usernames import fold


revision = '0005_username_fold'
down_revision = '0004_login_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('username_fold', sa.String(length=120), nullable=True))
    users = sa.table(
        'users', sa.column('id', sa.Integer), sa.column('username', sa.String),
        sa.column('username_fold', sa.String),
    )
    conn = op.get_bind()
    seen = set()
    rows = conn.execute(sa.select(users.c.id, users.c.username).order_by(users.c.id)).all()
    for user_id, username in rows:
        key = fold(username)
        if key in seen:
            key = f"{key}#{user_id}"
        seen.add(key)
        conn.execute(users.update().where(users.c.id == user_id).values(username_fold=key))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('username_fold', existing_type=sa.String(length=120), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_users_username_fold'), ['username_fold'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_username_fold'), type_='unique')
        batch_op.drop_column('username_fold')
