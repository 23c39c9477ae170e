"""readers' lists of books

Revision ID: 0012_lists
Revises: 0011_account_archives
Create Date: 2026-11-25 23:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_lists'
down_revision = '0011_account_archives'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('book_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_book_lists_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_book_lists'))
    )
    op.create_index('ix_book_lists_user_created', 'book_lists', ['user_id', 'created_at'], unique=False)
    op.create_table('list_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('book_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['book_id'], ['books.id'], name=op.f('fk_list_items_book_id_books'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['list_id'], ['book_lists.id'], name=op.f('fk_list_items_list_id_book_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_items')),
    sa.UniqueConstraint('list_id', 'book_id', name='uq_list_items_list_book')
    )
    op.create_index('ix_list_items_book', 'list_items', ['book_id'], unique=False)
    op.create_index('ix_list_items_list_position', 'list_items', ['list_id', 'position'], unique=False)


def downgrade():
    op.drop_index('ix_list_items_list_position', table_name='list_items')
    op.drop_index('ix_list_items_book', table_name='list_items')
    op.drop_table('list_items')
    op.drop_index('ix_book_lists_user_created', table_name='book_lists')
    op.drop_table('book_lists')
