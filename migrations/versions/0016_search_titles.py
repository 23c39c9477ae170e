"""search that forgives: other titles, typo-tolerant trigram matching, no ISBN prefixes

Books get ``other_titles`` (one per line). The word index is rebuilt from the books with
the other titles beside the title and without the ISBN (an exact ISBN has its own lookup,
and a partial number matched dozens of books by prefix). Typo tolerance: on PostgreSQL
``pg_trgm`` over a ``search_text`` column (GIN index); on SQLite an FTS5 table with the
trigram tokenizer (``book_search_fuzzy``). See webapp/search.py.

Revision ID: 0016_search_titles
Revises: 0015_shelf_private_fields
Create Date: 2026-11-26 00:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_search_titles'
down_revision = '0015_shelf_private_fields'
branch_labels = None
depends_on = None

# Every book's authors in order, space-separated, as (book_id, names).
PG_NAMES = (
    "SELECT ba.book_id, string_agg(au.name, ' ' ORDER BY ba.position) AS names "
    "FROM book_authors ba JOIN authors au ON au.id = ba.author_id GROUP BY ba.book_id"
)
SQLITE_NAMES = (
    "SELECT book_id, group_concat(name, ' ') AS names FROM ("
    "SELECT ba.book_id, au.name FROM book_authors ba JOIN authors au ON au.id = ba.author_id "
    "ORDER BY ba.book_id, ba.position) GROUP BY book_id"
)


def upgrade():
    with op.batch_alter_table('books', schema=None) as batch_op:
        batch_op.add_column(sa.Column('other_titles', sa.Text(), nullable=True))

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("ALTER TABLE books ADD COLUMN search_text text")
        op.execute(
            "UPDATE books SET "
            "search_vector = setweight(to_tsvector('simple', books.title), 'A') || "
            "setweight(to_tsvector('simple', coalesce(a.names, '')), 'A') || "
            "setweight(to_tsvector('simple', coalesce(books.subtitle, '')), 'B'), "
            "search_text = lower(books.title || ' ' || coalesce(a.names, '')) "
            f"FROM books b LEFT JOIN ({PG_NAMES}) a ON a.book_id = b.id WHERE b.id = books.id"
        )
        op.execute(
            "CREATE INDEX ix_books_search_text ON books USING gin (search_text gin_trgm_ops)"
        )
    else:
        op.execute("DROP TABLE book_search")
        op.execute(
            "CREATE VIRTUAL TABLE book_search USING fts5("
            "title, other_titles, subtitle, authors, tokenize = 'unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE VIRTUAL TABLE book_search_fuzzy USING fts5(text, tokenize = 'trigram')"
        )
        op.execute(
            "INSERT INTO book_search (rowid, title, other_titles, subtitle, authors) "
            "SELECT b.id, b.title, '', coalesce(b.subtitle, ''), coalesce(a.names, '') "
            f"FROM books b LEFT JOIN ({SQLITE_NAMES}) a ON a.book_id = b.id"
        )
        op.execute(
            "INSERT INTO book_search_fuzzy (rowid, text) "
            "SELECT b.id, lower(b.title || ' ' || coalesce(a.names, '')) "
            f"FROM books b LEFT JOIN ({SQLITE_NAMES}) a ON a.book_id = b.id"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_books_search_text")
        op.execute("ALTER TABLE books DROP COLUMN IF EXISTS search_text")
        op.execute(
            "UPDATE books SET search_vector = search_vector || "
            "to_tsvector('simple', coalesce(isbn13, ''))"
        )
    else:
        op.execute("DROP TABLE IF EXISTS book_search_fuzzy")
        op.execute("DROP TABLE book_search")
        op.execute(
            "CREATE VIRTUAL TABLE book_search USING fts5("
            "title, subtitle, authors, isbn, tokenize = 'unicode61 remove_diacritics 2')"
        )
        op.execute(
            "INSERT INTO book_search (rowid, title, subtitle, authors, isbn) "
            "SELECT b.id, b.title, coalesce(b.subtitle, ''), coalesce(a.names, ''), "
            f"coalesce(b.isbn13, '') FROM books b LEFT JOIN ({SQLITE_NAMES}) a ON a.book_id = b.id"
        )
    with op.batch_alter_table('books', schema=None) as batch_op:
        batch_op.drop_column('other_titles')
