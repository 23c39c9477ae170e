"""Readers' lists: make one, add books from their pages, reorder with Up/Down (plain and htmx),
and the book page showing the lists that include it in a fixed number of queries."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_book
from webapp.extensions import db
from webapp.models import BookList, FeedEvent, ListItem
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
    on_book = f'<a href="/lists/{made.id}">First-contact novels</a> by {world.reader.username}'
    assert on_book in html and f'<option value="{made.id}">First-contact novels</option>' in html


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


def test_a_readers_book_page_lists_theirs_and_those_with_the_book_newest_first(
    web, auth, users, world
):
    older = lists.create(world.reader, "Older list")
    newer = lists.create(world.reader, "Newer list")
    lists.add(world.reader, older, world.book)
    for n in range(12):
        maker = users(f"maker{n}")
        lists.add(maker, lists.create(maker, f"Their list {n}"), world.book)
    auth.login("reader")
    html = web.client.get(f"/books/{world.book.id}", follow_redirects=True).get_data(as_text=True)
    on_book = html[html.index('id="lists-heading"') :]
    shown = re.findall(r'<li><a href="/lists/\d+">([^<]+)</a> by ([^<]+)</li>', on_book)
    assert shown == [(f"Their list {n}", f"maker{n}") for n in range(11, 1, -1)]  # ten
    options = re.findall(r'<option value="(\d+)">([^<]+)</option>', on_book)
    assert options == [(str(newer.id), "Newer list"), (str(older.id), "Older list")]


@pytest.fixture
def shelf(world):
    """The reader's list with two books, the first with a note."""
    mine = lists.create(world.reader, "Keepers", "Books I *keep*.")
    books = [make_book("Keeper A"), make_book("Keeper B")]
    lists.add(world.reader, mine, books[0], "First note")
    lists.add(world.reader, mine, books[1])
    return mine, books


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_edit_a_list(web, auth, world, shelf, htmx):
    mine, _ = shelf
    auth.login("reader")
    page = web.client.get(f"/lists/{mine.id}/edit").get_data(as_text=True)
    assert 'value="Keepers"' in page and "Books I *keep*." in page
    bad = web.post(f"/lists/{mine.id}/edit", {"title": " ", "description": "Kept text"}, htmx=htmx)
    assert bad.status_code == 422 and "Give the list a title." in bad.get_data(as_text=True)
    assert "Kept text" in bad.get_data(as_text=True)
    data = {"title": "  Keepers,   revised ", "description": ""}
    response = web.post(f"/lists/{mine.id}/edit", data, htmx=htmx)
    if htmx:
        assert response.status_code == 204
        assert response.headers["HX-Redirect"] == f"/lists/{mine.id}"
    else:
        assert response.status_code == 303 and response.headers["Location"] == f"/lists/{mine.id}"
    db.session.refresh(mine)
    assert (mine.title, mine.description) == ("Keepers, revised", None)
    html = web.client.get(f"/lists/{mine.id}").get_data(as_text=True)
    assert "Keepers, revised" in html and f'href="/lists/{mine.id}/edit"' in html


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_delete_a_list(web, auth, world, shelf, htmx):
    mine, books = shelf
    list_id = mine.id
    auth.login("reader")
    ask = web.client.get(f"/lists/{list_id}/delete").get_data(as_text=True)
    assert "Delete “Keepers”?" in ask and 'class="danger"' in ask
    response = web.post(f"/lists/{list_id}/delete", htmx=htmx)
    if htmx:
        assert response.headers["HX-Redirect"] == "/u/reader/lists"
    else:
        assert response.status_code == 303 and response.headers["Location"] == "/u/reader/lists"
    db.session.expire_all()
    assert db.session.get(BookList, list_id) is None
    assert db.session.scalar(db.select(db.func.count()).select_from(ListItem)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(FeedEvent)) == 0
    assert db.session.get(type(books[0]), books[0].id) is not None  # the books stay
    assert web.client.get(f"/lists/{list_id}").status_code == 404


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_change_a_books_note(web, auth, world, shelf, htmx):
    mine, books = shelf
    url = f"/lists/{mine.id}/books/{books[0].id}/note"
    auth.login("reader")
    page = web.client.get(f"/lists/{mine.id}").get_data(as_text=True)
    assert f'id="note-{books[0].id}"' in page and "First note</textarea>" in page
    too_long = "x" * (lists.MAX_NOTE + 1)
    bad = web.post(url, {"note": too_long}, htmx=htmx)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and too_long in html and "Keep the note under" in html
    assert f'id="note-{books[0].id}-error"' in html and ("<html" in html) != htmx
    response = web.post(url, {"note": "  Better note "}, htmx=htmx)
    if htmx:
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html
        assert "HX-Request" in response.headers["Vary"] and "data-focus-here" in html
        assert "Better note" in html
    else:
        assert response.headers["Location"] == f"/lists/{mine.id}#item-{books[0].id}"
    assert [item.note for item in lists.items(mine)] == ["Better note", None]
    web.post(url, {"note": ""}, htmx=htmx)  # an empty note clears it
    assert [item.note for item in lists.items(mine)] == [None, None]
    missing = web.post(f"/lists/{mine.id}/books/{world.book.id}/note", {"note": "x"}, htmx=htmx)
    assert missing.status_code == 404


def test_only_the_maker_changes_a_list(web, auth, world, shelf):
    mine, books = shelf
    auth.login("author")
    assert web.client.get(f"/lists/{mine.id}/edit").status_code == 403
    assert web.post(f"/lists/{mine.id}/edit", {"title": "Mine now"}).status_code == 403
    assert web.post(f"/lists/{mine.id}/delete").status_code == 403
    note = web.post(f"/lists/{mine.id}/books/{books[0].id}/note", {"note": "Mine"})
    assert note.status_code == 403
    page = web.client.get(f"/lists/{mine.id}").get_data(as_text=True)
    assert "/edit" not in page and 'name="note"' not in page
    db.session.refresh(mine)
    assert mine.title == "Keepers" and lists.items(mine)[0].note == "First note"


def test_a_readers_lists_page(client, auth, world, shelf):
    lists.create(world.reader, "Empty one")
    html = client.get("/u/reader").get_data(as_text=True)
    assert 'href="/u/reader/lists"' in html
    page = client.get("/u/reader/lists").get_data(as_text=True)
    assert "reader&#39;s lists" in page and "2 books" in page and "0 books" in page
    assert page.index("Empty one") < page.index("Keepers")  # newest first
    assert "Make a list" not in page  # a visitor
    assert client.get("/u/nobody/lists").status_code == 404
    auth.login("author")
    assert "No lists yet." in client.get("/u/author/lists").get_data(as_text=True)


def positions(book_list) -> list[int]:
    return [item.position for item in lists.items(book_list)]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_move_a_book_to_a_numbered_place(web, auth, world, htmx):
    mine = lists.create(world.reader, "Placed")
    books = [make_book(f"Placed {n}") for n in "ABCD"]
    for book in books:
        lists.add(world.reader, mine, book)
    url = f"/lists/{mine.id}/books/{books[3].id}/place"
    auth.login("reader")
    page = web.client.get(f"/lists/{mine.id}").get_data(as_text=True)
    assert f'id="place-{books[3].id}"' in page and "data-drag-reorder" in page
    assert "js/list-drag." in page
    bad = web.post(url, {"position": "top"}, htmx=htmx)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'value="top"' in html and "1 is the top" in html
    assert f'id="place-{books[3].id}-error"' in html and ("<html" in html) != htmx
    response = web.post(url, {"position": "2"}, htmx=htmx)
    if htmx:
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html and "data-focus-here" in html
        assert "HX-Request" in response.headers["Vary"]
    else:
        assert response.headers["Location"] == f"/lists/{mine.id}#item-{books[3].id}"
    assert titles(mine) == ["Placed A", "Placed D", "Placed B", "Placed C"]
    web.post(url, {"position": "99"}, htmx=htmx)  # past the end: the end
    assert titles(mine) == ["Placed A", "Placed B", "Placed C", "Placed D"]
    assert positions(mine) == [1, 2, 3, 4]
    missing = web.post(f"/lists/{mine.id}/books/{world.book.id}/place", {"position": "1"})
    assert missing.status_code == 404


def test_others_see_no_drag_script(client, world):
    theirs = lists.create(world.author, "Not yours")
    html = client.get(f"/lists/{theirs.id}").get_data(as_text=True)
    assert "data-drag-reorder" not in html and "list-drag" not in html


def test_removing_closes_the_gap(world):
    mine = lists.create(world.reader, "Gapless")
    books = [make_book(f"Gap {n}") for n in range(4)]
    for book in books:
        lists.add(world.reader, mine, book)
    lists.remove(world.reader, mine, books[1].id)
    assert positions(mine) == [1, 2, 3]
    lists.add(world.reader, mine, books[1])
    assert positions(mine) == [1, 2, 3, 4] and titles(mine)[-1] == "Gap 1"


def test_a_note_too_long_keeps_the_text_beside_its_error(web, auth, world):
    made = lists.create(world.reader, "Long notes")
    auth.login("reader")
    note = "x" * (lists.MAX_NOTE + 1)
    response = web.post(f"/books/{world.book.id}/lists", {"list_id": made.id, "note": note})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="add-list-note-error"' in html
    assert note in html and titles(made) == []
