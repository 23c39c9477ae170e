"""Readers' lists: make one, add books from their pages, reorder with Up/Down (plain and htmx),
and the book page showing the lists that include it in a fixed number of queries."""

from __future__ import annotations

import pytest

from tests.factories import make_book
from webapp.extensions import db
from webapp.models import BookList
from webapp.services import lists

pytestmark = pytest.mark.usefixtures("shared_world")


def titles(book_list) -> list[str]:
    return [item.book.title for item in lists.items(book_list)]


def test_make_list_and_add_from_book_page(web, auth, world):
    auth.login("reader")
    assert web.post("/lists/new", {"title": "  "}).status_code == 422
    response = web.post("/lists/new", {"title": "First-contact novels", "description": "Hold up."})
    assert response.status_code == 303
    made = db.session.query(BookList).filter_by(user_id=world.reader.id).one()
    assert response.headers["Location"] == f"/lists/{made.id}"
    page = web.client.get(f"/books/{world.book.id}", follow_redirects=True).get_data(as_text=True)
    assert 'id="add-list-id"' in page and "First-contact novels" in page
    response = web.post(
        f"/books/{world.book.id}/lists", {"list_id": made.id, "note": "Where it starts"}
    )
    assert response.status_code == 303
    assert titles(made) == [world.book.title]
    web.post(f"/books/{world.book.id}/lists", {"list_id": made.id})  # twice: still once
    assert titles(made) == [world.book.title]
    html = web.client.get(f"/lists/{made.id}").get_data(as_text=True)
    assert "Where it starts" in html
    html = web.client.get(f"/books/{world.book.id}", follow_redirects=True).get_data(as_text=True)
    assert f'href="/lists/{made.id}"' in html


def test_cannot_add_to_someone_elses_list(web, auth, world):
    theirs = lists.create(world.author, "Author's picks")
    auth.login("reader")
    assert web.post(f"/books/{world.book.id}/lists", {"list_id": theirs.id}).status_code == 403
    assert lists.items(theirs) == []


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_reorder_up_and_down(web, auth, world, htmx):
    mine = lists.create(world.reader, "Order matters")
    books = [make_book(f"Book {n}") for n in "ABC"]
    for book in books:
        lists.add(world.reader, mine, book)
    auth.login("reader")
    response = web.post(f"/lists/{mine.id}/books/{books[2].id}/up", htmx=htmx)
    if htmx:
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html and "data-focus-here" in html
        assert "HX-Request" in response.headers["Vary"]
    else:
        assert response.status_code == 303
        assert response.headers["Location"] == f"/lists/{mine.id}#item-{books[2].id}"
    assert titles(mine) == ["Book A", "Book C", "Book B"]
    web.post(f"/lists/{mine.id}/books/{books[0].id}/up", htmx=htmx)  # at the top: no change
    web.post(f"/lists/{mine.id}/books/{books[0].id}/down", htmx=htmx)
    assert titles(mine) == ["Book C", "Book A", "Book B"]
    web.post(f"/lists/{mine.id}/books/{books[1].id}/remove", htmx=htmx)
    assert titles(mine) == ["Book C", "Book A"]
    auth.logout()
    auth.login("author")
    assert web.post(f"/lists/{mine.id}/books/{books[0].id}/up").status_code == 403


def test_book_page_lists_query_count_is_fixed(client, users, world, count_queries):
    url = f"/books/{world.book.id}-{world.book.slug}"
    lists.add(world.author, lists.create(world.author, "One"), world.book)
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for n in range(5):
        maker = users(f"lister{n}")
        lists.add(maker, lists.create(maker, f"List {n}"), world.book)
    with count_queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert "List 4" in html and "by lister4" in html
    assert len(many) == len(few)
