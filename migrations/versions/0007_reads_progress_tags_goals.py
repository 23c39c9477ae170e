"""reads progress tags goals

Reads, progress updates, tags on shelf entries, yearly goals and a privacy switch. A data
step gives every existing Reading / Read / Did-not-finish shelf entry one read (dates unknown:
a shelf only said *that* a book was read, not when), and each entry its "date added".
Downgrading drops the new tables; the shelf entries they were built from are untouched.

Revision ID: 0007
Revises: 0006_follows_blocks
Create Date: 2026-11-25 21:37:20.408165

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006_follows_blocks'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on users, never a batch "recreate": on SQLite (foreign keys on)
    # dropping the old copy of ``users`` would cascade-delete every reader's reviews and shelves.
    op.add_column('users', sa.Column('reading_private', sa.Boolean(), server_default=sa.false(), nullable=False))
    # shelf_entries may be copied (SQLite's NOT NULL needs it) only while nothing references
    # it: before shelf_tags exists.
    op.add_column('shelf_entries', sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE shelf_entries SET created_at = updated_at")
    with op.batch_alter_table('shelf_entries', schema=None) as batch_op:
        batch_op.alter_column('created_at', existing_type=sa.DateTime(timezone=True), nullable=False)
    op.create_table('reading_goals',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('kind', sa.String(length=5), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('books', 'pages')", name=op.f('ck_reading_goals_goal_kind')),
    sa.CheckConstraint('target > 0', name=op.f('ck_reading_goals_goal_target_positive')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reading_goals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'year', name=op.f('pk_reading_goals'))
    )
    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('name_key', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tags_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('user_id', 'name_key', name='uq_tags_user_name')
    )
    op.create_table('reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('book_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('finished_on', sa.Date(), nullable=True),
    sa.Column('format', sa.String(length=12), nullable=True),
    sa.Column('progress_page', sa.Integer(), nullable=True),
    sa.Column('progress_percent', sa.SmallInteger(), nullable=True),
    sa.Column('progress_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('reading', 'finished', 'dnf')", name=op.f('ck_reads_read_status')),
    sa.CheckConstraint('progress_percent BETWEEN 0 AND 100', name=op.f('ck_reads_read_percent_range')),
    sa.CheckConstraint('started_on IS NULL OR finished_on IS NULL OR finished_on >= started_on', name=op.f('ck_reads_read_dates_in_order')),
    sa.ForeignKeyConstraint(['book_id'], ['books.id'], name=op.f('fk_reads_book_id_books'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reads'))
    )
    with op.batch_alter_table('reads', schema=None) as batch_op:
        batch_op.create_index('ix_reads_book', ['book_id'], unique=False)
        batch_op.create_index('ix_reads_user_book', ['user_id', 'book_id'], unique=False)
        batch_op.create_index('ix_reads_user_finished', ['user_id', 'finished_on'], unique=False)
        batch_op.create_index('ix_reads_user_status', ['user_id', 'status'], unique=False)

    op.create_table('progress_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('read_id', sa.Integer(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('percent', sa.SmallInteger(), nullable=False),
    sa.Column('note', sa.String(length=280), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['read_id'], ['reads.id'], name=op.f('fk_progress_updates_read_id_reads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_updates'))
    )
    with op.batch_alter_table('progress_updates', schema=None) as batch_op:
        batch_op.create_index('ix_progress_updates_read', ['read_id', 'created_at'], unique=False)

    op.create_table('shelf_tags',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('book_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_shelf_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id', 'book_id'], ['shelf_entries.user_id', 'shelf_entries.book_id'], name=op.f('fk_shelf_tags_user_id_shelf_entries'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'book_id', 'tag_id', name=op.f('pk_shelf_tags'))
    )
    with op.batch_alter_table('shelf_tags', schema=None) as batch_op:
        batch_op.create_index('ix_shelf_tags_tag', ['tag_id', 'book_id'], unique=False)

    # ### end Alembic commands ###
    op.execute(
        """
        INSERT INTO reads (user_id, book_id, status, created_at, updated_at)
        SELECT user_id, book_id,
               CASE status WHEN 'reading' THEN 'reading'
                           WHEN 'read' THEN 'finished'
                           ELSE 'dnf' END,
               updated_at, updated_at
        FROM shelf_entries
        WHERE status IN ('reading', 'read', 'did_not_finish')
        ORDER BY updated_at, user_id, book_id
        """
    )


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    # SQLite 3.35+ drops a plain column in place (no table copy, so no cascading delete).
    op.drop_column('users', 'reading_private')
    op.drop_column('shelf_entries', 'created_at')

    with op.batch_alter_table('shelf_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_shelf_tags_tag')

    op.drop_table('shelf_tags')
    with op.batch_alter_table('progress_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_updates_read')

    op.drop_table('progress_updates')
    with op.batch_alter_table('reads', schema=None) as batch_op:
        batch_op.drop_index('ix_reads_user_status')
        batch_op.drop_index('ix_reads_user_finished')
        batch_op.drop_index('ix_reads_user_book')
        batch_op.drop_index('ix_reads_book')

    op.drop_table('reads')
    op.drop_table('tags')
    op.drop_table('reading_goals')
    # ### end Alembic commands ###
