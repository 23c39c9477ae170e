"""a review may be text-only: reviews.rating becomes nullable

A review needs a rating or a body (``ck_reviews_rating_or_body``); NULL is "not rated" and
counts in none of a book's rating aggregates. Existing rows all have a rating, so nothing
changes in them.

Going down cannot keep a text-only review (the old schema needs a rating, and inventing one
would move every average it counts in), so the downgrade refuses while any exists and says
which query finds them; rate or delete those first.

Revision ID: 0018_text_only_reviews
Revises: 0017_media
Create Date: 2026-11-26 04:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018_text_only_reviews'
down_revision = '0017_media'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.alter_column('rating', existing_type=sa.SmallInteger(), nullable=True)
        batch_op.create_check_constraint(
            op.f('ck_reviews_rating_or_body'), 'rating IS NOT NULL OR body IS NOT NULL'
        )


def downgrade():
    unrated = op.get_bind().scalar(sa.text("SELECT count(*) FROM reviews WHERE rating IS NULL"))
    if unrated:
        raise RuntimeError(
            f"{unrated} review(s) have no rating, which revision 0017 cannot hold; rate or "
            "delete them first (SELECT id FROM reviews WHERE rating IS NULL)."
        )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reviews_rating_or_body'), type_='check')
        batch_op.alter_column('rating', existing_type=sa.SmallInteger(), nullable=False)
