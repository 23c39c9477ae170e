"""Kept numbers stay exact under concurrent writes, on SQLite and PostgreSQL.

Threads, each with its own session (as gunicorn's workers have), race first posts, double
clicks, edits (rated, rating-only and text-only, unrated), deletes, hides, restores, helpful
votes, a book merge and an account deletion over a few small books, for several rounds; after
every round `recount.check()` must find nothing to correct.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from tests.factories import UserFactory, make_book, make_review
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.models import Book, Review, User
from webapp.services import accounts, merges, moderation, recount, reviews

ROUNDS = 3
THREADS = 6
OPS = 8
STARS = reviews.STAR_CHOICES
# What a save or an edit sends: stars and text, stars alone, or text alone ("" is "No rating").
SAVES = [(stars, body) for stars in STARS for body in (None, "Some words.")] + [
    ("", "Words, no stars.")
] * 6


@dataclass
class World:
    books: list[int]
    readers: list[int]
    admin: int
    errors: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)


def _review_of(reader_id: int, book_id: int) -> Review | None:
    return db.session.scalar(
        select(Review).where(Review.user_id == reader_id, Review.book_id == book_id)
    )


def _run(world: World, name: str, action) -> None:
    """One request's worth of work in its own session; domain refusals are expected."""
    try:
        action()
        world.done.append(name)
    except DomainError:
        world.done.append(f"{name} (refused)")
    except Exception as exc:  # noqa: BLE001 - every other failure fails the test
        world.errors.append(f"{name}: {type(exc).__name__}: {exc}")
    finally:
        db.session.remove()


def _random_op(world: World, rng: random.Random):
    user = lambda i: db.session.get(User, i)  # noqa: E731
    book_id, reader_id = rng.choice(world.books), rng.choice(world.readers)
    kind = rng.choice(
        ["save", "save", "edit", "unrated", "remove", "hide", "restore", "vote", "vote"]
    )

    def act() -> None:
        reader, book = user(reader_id), db.session.get(Book, book_id)
        review = _review_of(reader_id, book_id)
        if kind in ("save", "edit"):
            stars, body = rng.choice(SAVES)
            reviews.save(reader, book, stars=stars, body=body)
        elif kind == "unrated":  # rated → text-only, or the text of a text-only one changed
            reviews.save(reader, book, stars="", body=rng.choice(["Unrated.", "Unrated, again."]))
        elif review is None:
            return
        elif kind == "remove":
            reviews.remove(reader, review)
        elif kind == "hide":
            moderation.hide(user(world.admin), review, "Off topic")
        elif kind == "restore":
            moderation.restore(user(world.admin), review)
        else:
            voter = user(rng.choice([r for r in world.readers if r != reader_id]))
            reviews.toggle_helpful(voter, review)

    return kind, act


def _round(app, world: World, number: int) -> None:
    with app.app_context():
        fresh = make_book(f"Fresh {number}").id
        duplicate = make_book(f"Duplicate {number}")
        leaver = UserFactory()(f"leaver{number}")
        for n, reader_id in enumerate(world.readers[:3]):  # one text-only review moves too
            make_review(db.session.get(User, reader_id), duplicate, "" if n else "3", body="Dup.")
        for book_id in world.books[:2]:
            left = make_review(leaver, db.session.get(Book, book_id), "5", body="Bye.")
            reviews.toggle_helpful(db.session.get(User, world.readers[0]), left)
        mine = _review_of(world.readers[1], world.books[0])
        if mine is not None:
            reviews.toggle_helpful(leaver, mine)
        duplicate_id, leaver_id = duplicate.id, leaver.id
        db.session.remove()
    barrier = threading.Barrier(THREADS)

    def worker(index: int) -> None:
        rng = random.Random(number * 100 + index)
        plan = []
        # Pairs of threads open with the same first post at once (a double click); the last
        # pair's is text-only.
        reader_id = world.readers[index // 2]
        stars = STARS[index // 2] if index // 2 < THREADS // 2 - 1 else ""
        plan.append(
            (
                "first post",
                lambda: reviews.save(
                    db.session.get(User, reader_id),
                    db.session.get(Book, fresh),
                    stars=stars,
                    body="Same text.",
                ),
            )
        )
        if index == 0:
            plan.append(
                (
                    "merge",
                    lambda: merges.merge_books(
                        db.session.get(User, world.admin),
                        db.session.get(Book, duplicate_id),
                        db.session.get(Book, world.books[0]),
                    ),
                )
            )
        if index == 1:
            plan.append(
                (
                    "leave",
                    lambda: accounts.delete_account(
                        db.session.get(User, leaver_id), UserFactory.password
                    ),
                )
            )
        rest = plan[1:] + [_random_op(world, rng) for _ in range(OPS)]
        rng.shuffle(rest)
        plan = plan[:1] + rest
        barrier.wait(timeout=30)
        for name, action in plan:
            with app.app_context():
                _run(world, name, action)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with app.app_context():
        assert (
            len(db.session.scalars(select(Review).where(Review.book_id == fresh)).all())
            == THREADS // 2
        )
        differences = [d.line() for d in recount.check()]
        db.session.remove()
    assert {"errors": world.errors, "differences": differences} == {
        "errors": [],
        "differences": [],
    }, f"round {number}"


@pytest.mark.committed
def test_kept_numbers_equal_a_recount_after_racing_writes(make_app):
    app = make_app()
    with app.app_context():
        make_user = UserFactory()
        books = [make_book(f"Contested {n}").id for n in range(3)]
        readers = [make_user(f"racer{n}").id for n in range(6)]
        admin = make_user("referee", role="admin").id
        db.session.remove()
    world = World(books, readers, admin)
    for number in range(ROUNDS):
        _round(app, world, number)
    assert len(world.done) >= ROUNDS * THREADS * OPS


# Lists: positions stay 1…n, each once, whatever order reorders and adds land in ----------------


@pytest.mark.committed
def test_list_positions_stay_a_gapless_permutation_under_racing_reorders(make_app):
    from webapp.models import BookList, ListItem
    from webapp.services import lists

    app = make_app()
    with app.app_context():
        maker = UserFactory()("lister")
        book_list = lists.create(maker, "Contested order")
        books = [make_book(f"Ordered {n}").id for n in range(12)]
        for book_id in books[:6]:
            lists.add(maker, book_list, db.session.get(Book, book_id))
        maker_id, list_id = maker.id, book_list.id
        db.session.remove()
    world = World(books, [maker_id], maker_id)
    barrier = threading.Barrier(THREADS)

    def worker(index: int) -> None:
        rng = random.Random(index)

        def op():
            kind = rng.choice(["place", "place", "up", "down", "add", "add", "remove"])
            book_id = rng.choice(books)

            def act() -> None:
                maker, book_list = db.session.get(User, maker_id), db.session.get(BookList, list_id)
                if kind == "place":
                    lists.place(maker, book_list, book_id, rng.randint(1, 12))
                elif kind in ("up", "down"):
                    lists.move(maker, book_list, book_id, kind)
                elif kind == "add":
                    lists.add(maker, book_list, db.session.get(Book, book_id))
                else:
                    lists.remove(maker, book_list, book_id)

            return kind, act

        plan = [op() for _ in range(OPS)]
        barrier.wait(timeout=30)
        for name, action in plan:
            with app.app_context():
                _run(world, name, action)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with app.app_context():
        rows = db.session.execute(
            select(ListItem.position, ListItem.book_id).where(ListItem.list_id == list_id)
        ).all()
        db.session.remove()
    assert world.errors == []
    assert sorted(p for p, _ in rows) == list(range(1, len(rows) + 1))
    assert len({b for _, b in rows}) == len(rows) and len(world.done) == THREADS * OPS
