"""Ratings and reviews: kept aggregates, helpful ranking, pagination, races."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.factories import make_book, make_review
from webapp.errors import NotAllowed, ValidationError
from webapp.extensions import db
from webapp.models import Book, Review, ShelfEntry
from webapp.models.book import KEPT_AGGREGATES, bayesian_score
from webapp.services import recount, reviews, shelves

AGGREGATES = tuple(name for name in KEPT_AGGREGATES if name != "bayes_score")


def aggregates(book: Book) -> dict:
    db.session.refresh(book)
    values = {name: getattr(book, name) for name in AGGREGATES}
    values["bayes_score"] = round(book.bayes_score, 9)
    return values


def assert_recount_agrees(book: Book) -> None:
    assert recount.check([book.id]) == []


@pytest.mark.parametrize(
    ("value", "halves"), [("0.5", 1), ("1", 2), ("3.5", 7), (" 5 ", 10), (4.5, 9), ("4.0", 8)]
)
def test_parse_stars(value, halves):
    assert reviews.parse_stars(value) == halves


@pytest.mark.parametrize("value", [None, "", "  "])
def test_no_stars_is_not_rated(value):
    assert reviews.parse_stars(value) is None


@pytest.mark.parametrize("value", ["0", "5.5", "3.25", "-1", "four", "nan", "inf"])
def test_parse_stars_refuses(value):
    with pytest.raises(ValidationError) as error:
        reviews.parse_stars(value)
    assert error.value.field == "rating"


def test_aggregates_through_create_edit_rerate_delete(app, users):
    book = make_book()
    ann, bob = users("ann"), users("bob")

    review, created = reviews.save(ann, book, stars="4", title="Good", body="Liked it.")
    assert created
    assert aggregates(book) | {"bayes_score": 0} == {
        "rating_count": 1,
        "rating_sum": 8,
        "review_count": 1,
        "stars_1": 0,
        "stars_2": 0,
        "stars_3": 0,
        "stars_4": 1,
        "stars_5": 0,
        "bayes_score": 0,
    }
    assert book.bayes_score == pytest.approx(bayesian_score(1, 4))
    assert_recount_agrees(book)

    reviews.save(bob, book, stars="1.5")  # rating only: not a review
    assert (book.rating_count, book.rating_sum, book.review_count) == (2, 11, 1)
    assert (book.stars_2, book.average) == (1, 2.75)
    assert_recount_agrees(book)

    # Re-rate and drop the text.
    again, created = reviews.save(ann, book, stars="4.5", title=None, body=None)
    assert not created and again.id == review.id
    assert (book.rating_count, book.rating_sum, book.review_count) == (2, 12, 0)
    assert (book.stars_4, book.stars_5) == (0, 1)
    assert book.bayes_score == pytest.approx(bayesian_score(2, 6))
    assert_recount_agrees(book)

    reviews.save(bob, book, stars="1.5", body="On reflection, *no*.")  # edit adds text
    assert book.review_count == 1
    assert_recount_agrees(book)

    reviews.remove(ann, again)
    assert (book.rating_count, book.rating_sum, book.stars_5, book.review_count) == (1, 3, 0, 1)
    bob_review = reviews.find(bob, book)
    reviews.remove(bob, bob_review)
    assert aggregates(book) == dict.fromkeys(AGGREGATES, 0) | {"bayes_score": 3.5}
    assert book.average is None
    assert_recount_agrees(book)


def test_recount_repairs_drifted_aggregates(app, users):
    book = make_book()
    for n, stars in enumerate(["5", "3", "0.5"]):
        make_review(users(f"r{n}"), book, stars, body="Text" if n else None)
    kept = aggregates(book)
    db.session.execute(db.update(Book).values(rating_count=99, stars_5=7, bayes_score=1))
    db.session.commit()
    fixed = [(d.kind, d.id, d.field, d.kept, d.counted) for d in recount.repair()]
    assert fixed == [
        ("book", book.id, "rating_count", 99, 3),
        ("book", book.id, "stars_5", 7, 1),
        ("book", book.id, "bayes_score", 1, pytest.approx(kept["bayes_score"], abs=1e-8)),
    ]
    assert aggregates(book) == kept
    assert recount.check() == []
    assert (kept["rating_count"], kept["review_count"], kept["stars_1"]) == (3, 2, 1)


def test_bayesian_average_ranks_many_ratings_above_one_perfect(app, users):
    lone, popular = make_book("Lone"), make_book("Popular")
    make_review(users(), lone, "5")
    for _ in range(12):
        make_review(users(), popular, "4.5")
    db.session.refresh(lone)
    db.session.refresh(popular)
    assert lone.average == 5 and popular.average == 4.5
    assert lone.bayes_score == pytest.approx((3.5 * 10 + 5) / 11)
    assert popular.bayes_score > lone.bayes_score


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [("Loved it", "", "body"), ("", " ", "rating"), (None, None, "rating")],
)
def test_neither_rating_nor_review_is_refused_and_nothing_saved(app, users, title, body, field):
    """A review needs a rating or a body; a title alone is not a review."""
    book = make_book()
    with pytest.raises(ValidationError) as error:
        reviews.save(users(), book, stars="", title=title, body=body)
    assert error.value.field == field
    assert db.session.scalar(select(func.count(Review.id))) == 0


def test_body_is_sanitised_markdown_and_spoiler_needs_a_body(app, users):
    reader = users()
    review, _ = reviews.save(
        reader, make_book(), stars="3", body="Hi <script>alert(1)</script> [x](https://e.com)"
    )
    assert "<script>" not in review.body_html
    assert 'rel="nofollow ugc noopener"' in review.body_html
    review, _ = reviews.save(reader, review.book, stars="3", title="Only a title", spoiler=True)
    assert review.spoiler is False


def test_rating_shelves_as_read_unless_already_shelved(app, users):
    ann, bob = users(), users()
    book = make_book()
    make_review(ann, book, "4")
    assert shelves.status_of(ann, book) == "read"
    shelves.set_status(bob, book, "reading")
    make_review(bob, book, "4")
    assert shelves.status_of(bob, book) == "reading"
    assert db.session.scalar(select(func.count()).select_from(ShelfEntry)) == 2


def test_helpful_score_grows_with_votes_but_flattens():
    scores = [reviews.helpful_score(n) for n in (0, 1, 2, 5, 20, 100)]
    assert scores == sorted(scores) and scores[0] == 0
    assert all(0 <= s < 1 for s in scores)
    assert [round(s, 2) for s in scores] == [0, 0.06, 0.15, 0.36, 0.72, 0.93]
    assert (scores[5] - scores[4]) / 80 < scores[1] - scores[0]  # each vote counts for less


def test_toggle_helpful_and_order_by_most_helpful(app, users):
    book = make_book()
    authors = [users() for _ in range(3)]
    voters = [users() for _ in range(3)]
    low, high, none = (make_review(a, book, "3", body="b") for a in authors)
    assert reviews.toggle_helpful(voters[0], low) is True
    for voter in voters:
        reviews.toggle_helpful(voter, high)
    assert (low.helpful_count, high.helpful_count) == (1, 3)
    items, cursor = reviews.for_book(book)
    assert [r.id for r in items] == [high.id, low.id, none.id] and cursor is None
    assert reviews.voted_ids(voters[0], [low.id, high.id, none.id]) == {low.id, high.id}

    assert reviews.toggle_helpful(voters[0], low) is False
    db.session.refresh(low)
    assert (low.helpful_count, low.helpful_score) == (0, 0.0)
    with pytest.raises(NotAllowed):
        reviews.toggle_helpful(authors[0], low)


@pytest.mark.parametrize("sort", ["helpful", "newest"])
def test_for_book_pages_with_keyset_cursor_and_excludes_the_reader(app, users, sort):
    book = make_book()
    readers = [users() for _ in range(7)]
    made = [make_review(r, book, "4", body="x") for r in readers]
    seen, cursor = [], None
    while True:
        items, cursor = reviews.for_book(
            book, sort=sort, after=cursor, exclude_user=readers[0], limit=2
        )
        seen += [r.id for r in items]
        if cursor is None:
            break
    assert seen == [r.id for r in reversed(made[1:])]  # newest first; equal scores → newest
    assert reviews.for_book(book, sort=sort, after="garbage_x")[0][0].id == made[-1].id


def test_remove_needs_the_author_or_an_admin(app, users):
    book = make_book()
    ann, bob, admin = users(), users(), users(role="admin")
    review = make_review(ann, book, "4")
    with pytest.raises(NotAllowed):
        reviews.remove(bob, review)
    reviews.remove(admin, review)
    assert book.rating_count == 0


@pytest.mark.committed
def test_concurrent_first_reviews_by_one_reader_leave_one_row(make_app, database_url):
    """Two simultaneous first posts: one INSERT wins, the other takes the update path.

    Runs on both backends: on SQLite the writers serialise on the database lock (busy_timeout),
    on PostgreSQL they race on the unique index inside savepoints.
    """
    app = make_app()
    with app.app_context():
        from tests.factories import UserFactory

        reader_id = UserFactory()("racer").id
        book_id = make_book().id
        db.session.remove()

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    created: list[bool] = []

    def post(stars: str) -> None:
        try:
            with app.app_context():
                from webapp.models import User

                reader = db.session.get(User, reader_id)
                book = db.session.get(Book, book_id)
                barrier.wait(timeout=10)
                _, was_created = reviews.save(reader, book, stars=stars, body=f"{stars} stars")
                created.append(was_created)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=post, args=(s,)) for s in ("2", "4")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(created) == [False, True]
    with app.app_context():
        rows = list(db.session.scalars(select(Review).where(Review.book_id == book_id)))
        book = db.session.get(Book, book_id)
        assert len(rows) == 1
        assert (book.rating_count, book.review_count) == (1, 1)
        assert book.rating_sum == rows[0].rating
        assert getattr(book, f"stars_{reviews.bucket(rows[0].rating)}") == 1
        assert sum(getattr(book, f"stars_{n}") for n in range(1, 6)) == 1
        assert db.session.scalar(select(func.count()).select_from(ShelfEntry)) == 1
        db.session.remove()
