"""library_import_chunks: each placed chunk's outcomes saved with the chunk

An import's outcome list used to be saved every fourth chunk, after the chunks' own commits,
so a worker that died midway placed up to ~1,500 rows again on restart (and forgot how to undo
the first placing). Each transaction now saves its rows' outcomes here and moves the import's
counts in the same commit; the done import gathers them into ``library_imports.outcomes`` and
deletes them. Imports running at deploy time resume from their saved outcomes as before.

Revision ID: 0020_import_chunks
Revises: 0019_cover_queue
Create Date: 2026-11-26 05:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0020_import_chunks'
down_revision = '0019_cover_queue'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('library_import_chunks',
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('first_row', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('outcomes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['library_imports.id'], name=op.f('fk_library_import_chunks_import_id_library_imports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('import_id', 'first_row', name=op.f('pk_library_import_chunks'))
    )


def downgrade():
    op.drop_table('library_import_chunks')
