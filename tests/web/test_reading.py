"""Reads, progress, shelving with a date and tags, through the web: plain and htmx, errors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.factories import make_book
from webapp.models import ProgressUpdate, Read
from webapp.services import reads, shelves, tags
from webapp.services.reads import ReadData

BOTH = pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])


@pytest.fixture
def book(app):
    return make_book("Middlemarch", authors=("George Eliot",), pages=880)


def page(client, book) -> str:
    return client.get(f"/books/{book.id}-{book.slug}").get_data(as_text=True)


def text(response) -> str:
    return response.get_data(as_text=True)


def assert_fragment(response, status=200):
    assert response.status_code == status, text(response)[:500]
    assert "<html" not in text(response)
    assert "HX-Request" in response.headers["Vary"]


def my_reads(user, book) -> list[Read]:
    return reads.reads_of(user, book)


def test_book_page_says_how_often_and_when(client, reader, book):
    for day in (date(2019, 1, 5), date(2024, 3, 12), None):
        reads.add(reader, book, ReadData("finished", None, day))
    html = page(client, book)
    assert "You read this 3 times — last finished 12 March 2024." in html
    assert 'id="reading"' in html and "dates not recorded" in html
    assert "finished 5 January 2019" in html


def test_visitors_see_no_reading_section(client, book, users):
    reads.add(users("someone"), book, ReadData("finished", None, date(2024, 1, 1)))
    assert 'id="reading"' not in page(client, book)


@BOTH
def test_shelving_as_read_records_the_date_offered(web, client, reader, book, htmx):
    assert f'value="{reads.today().isoformat()}"' in page(client, book)  # today is offered
    response = web.post(
        f"/books/{book.id}/shelf", {"status": "read", "finished_on": "2025-02-03"}, htmx=htmx
    )
    if htmx:
        assert_fragment(response)
        assert 'id="shelf-control"' in text(response)
        assert 'id="reading" class="reading card"' in text(response)  # out of band
        assert "hx-swap-oob" in text(response) and "3 February 2025" in text(response)
    else:
        assert response.status_code == 303
    (read,) = my_reads(reader, book)
    assert (read.status, read.finished_on) == ("finished", date(2025, 2, 3))


@BOTH
def test_shelving_with_a_future_date_is_422_and_keeps_the_choice(web, reader, book, htmx):
    later = (reads.today() + timedelta(days=3)).isoformat()
    response = web.post(
        f"/books/{book.id}/shelf", {"status": "read", "finished_on": later}, htmx=htmx
    )
    assert response.status_code == 422
    assert "That date is in the future." in text(response)
    assert f'value="{later}"' in text(response)
    assert my_reads(reader, book) == [] and shelves.status_of(reader, book) is None


@BOTH
def test_add_a_read(web, reader, book, htmx):
    data = {"status": "finished", "started_on": "2024-03-01", "finished_on": "2024-03-12"}
    response = web.post(f"/books/{book.id}/reads", {**data, "format": "audiobook"}, htmx=htmx)
    if htmx:
        assert_fragment(response)
        assert "You read this once — last finished 12 March 2024." in text(response)
    else:
        assert response.status_code == 303
        assert response.headers["Location"].endswith("#reading")
    (read,) = my_reads(reader, book)
    assert (read.format, read.days) == ("audiobook", 12)
    assert shelves.status_of(reader, book) == "read"


@BOTH
def test_a_read_with_dates_out_of_order_is_422_with_the_dates_kept(web, reader, book, htmx):
    data = {"status": "finished", "started_on": "2024-03-12", "finished_on": "2024-03-01"}
    response = web.post(f"/books/{book.id}/reads", data, htmx=htmx)
    assert response.status_code == 422
    body = text(response)
    assert "The finish date is before the start date." in body
    assert 'value="2024-03-12"' in body and 'value="2024-03-01"' in body
    assert ("<html" in body) is not htmx
    assert my_reads(reader, book) == []


def test_a_date_that_is_not_a_date_is_422(web, reader, book):
    response = web.post(f"/books/{book.id}/reads", {"status": "finished", "started_on": "soon"})
    assert response.status_code == 422 and 'value="soon"' in text(response)


def test_edit_and_delete_a_read(web, client, reader, book):
    read = reads.add(reader, book, ReadData("finished", None, date(2024, 3, 12)))
    form = client.get(f"/reads/{read.id}/edit")
    assert form.status_code == 200 and 'value="2024-03-12"' in text(form)
    bad = web.post(f"/reads/{read.id}/edit", {"status": "reading", "finished_on": "2024-03-12"})
    assert bad.status_code == 422 and "has no finish date" in text(bad)
    ok = web.post(f"/reads/{read.id}/edit", {"status": "dnf", "finished_on": "2024-03-13"})
    assert ok.status_code == 303
    assert (my_reads(reader, book)[0].status, shelves.status_of(reader, book)) == (
        "dnf",
        "did_not_finish",
    )
    gone = web.post(f"/reads/{read.id}/delete", htmx=True)
    assert_fragment(gone)
    assert "finished this book yet." in text(gone)
    assert my_reads(reader, book) == []


def test_another_readers_read_is_not_found(web, client, reader, book, users):
    theirs = reads.add(users("them"), book, ReadData("finished"))
    assert client.get(f"/reads/{theirs.id}/edit").status_code == 404
    assert web.post(f"/reads/{theirs.id}/delete").status_code == 404
    assert web.post(f"/reads/{theirs.id}/progress", {"page": "3"}).status_code == 404


@BOTH
def test_progress_moves_in_place_and_without_js(web, client, reader, book, htmx):
    shelves.set_status(reader, book, "reading")
    (read,) = my_reads(reader, book)
    where = f"/books/{book.id}-{book.slug}"
    data = {"page": "220", "note": "Dorothea!", "next": where}
    response = web.post(f"/reads/{read.id}/progress", data, htmx=htmx)
    if htmx:
        assert_fragment(response)
        body = text(response)
        assert f'id="progress-{read.id}"' in body and 'value="25"' in body
        assert "Dorothea!" in body
        assert f'id="progress-{read.id}-save"' in body  # focus stays on the same button
    else:
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"{where}#progress-{read.id}")
    html = page(client, book)
    assert '<progress id="progress-' in html and "25% read, page 220 of 880" in html


@BOTH
def test_bad_progress_is_422_with_the_text_kept(web, reader, book, htmx):
    shelves.set_status(reader, book, "reading")
    (read,) = my_reads(reader, book)
    data = {"page": "9999", "note": "keep me", "next": "/"}
    response = web.post(f"/reads/{read.id}/progress", data, htmx=htmx)
    assert response.status_code == 422
    body = text(response)
    assert "This book has 880 pages." in body and 'value="keep me"' in body
    assert 'value="9999"' in body and 'aria-invalid="true"' in body
    assert ("<html" in body) is not htmx
    assert ProgressUpdate.query.count() == 0


def test_home_and_profile_show_progress_bars(web, client, reader, book):
    shelves.set_status(reader, book, "reading")
    (read,) = my_reads(reader, book)
    reads.record_progress(reader, read, "", "40", None)
    home = text(client.get("/"))
    assert "Your reading" in home and 'value="40"' in home
    assert f'action="/reads/{read.id}/progress"' in home  # editable at home
    profile = text(client.get("/u/reader"))
    assert "Reading now" in profile and 'value="40"' in profile and "Middlemarch" in profile
    response = web.post(f"/reads/{read.id}/progress", {"percent": "50", "next": "/"}, htmx=True)
    assert_fragment(response)
    assert "Middlemarch" in text(response)  # from home, the fragment names the book


def test_finish_button_from_progress(web, reader, book):
    shelves.set_status(reader, book, "reading")
    today = reads.today().isoformat()
    response = web.post(f"/books/{book.id}/shelf", {"status": "read", "finished_on": today})
    assert response.status_code == 303
    (read,) = my_reads(reader, book)
    assert (read.status, read.finished_on, read.started_on) == (
        "finished",
        reads.today(),
        reads.today(),
    )


@BOTH
def test_tags_on_a_book(web, client, reader, book, htmx):
    refused = web.post(f"/books/{book.id}/tags", {"tags": "classics"}, htmx=htmx)
    assert refused.status_code == 422 and "Put the book on a shelf first" in text(refused)
    assert 'value="classics"' in text(refused)
    shelves.set_status(reader, book, "want_to_read")
    response = web.post(f"/books/{book.id}/tags", {"tags": "classics, Book club 2025"}, htmx=htmx)
    if htmx:
        assert_fragment(response)
        assert '<li class="tag">Book club 2025</li>' in text(response)
    else:
        assert response.status_code == 303
    assert tags.names_for(reader, book) == ["Book club 2025", "classics"]
    too_long = web.post(f"/books/{book.id}/tags", {"tags": "x" * 51}, htmx=htmx)
    assert too_long.status_code == 422 and "50 characters" in text(too_long)


def test_tag_pages_rename_merge_delete(web, client, reader, book):
    other = make_book("Adam Bede", authors=("George Eliot",), pages=600)
    for b, names in ((book, "classics, victorian"), (other, "Victorians")):
        shelves.set_status(reader, b, "read")
        tags.set_for_book(reader, b, names)
    ids = {t.name: t.id for t, _ in tags.tags_of(reader)}
    index = text(client.get("/u/reader/tags"))
    assert "classics" in index and "Victorians" in index
    shown = client.get(f"/u/reader/tags/{ids['victorian']}")
    assert shown.status_code == 200 and "Middlemarch" in text(shown) and "Merge into" in text(shown)
    clash = web.post(f"/tags/{ids['victorian']}/rename", {"name": "CLASSICS"})
    assert clash.status_code == 422 and "merge instead" in text(clash)
    assert 'value="CLASSICS"' in text(clash)
    merged = web.post(f"/tags/{ids['victorian']}/merge", {"target_id": ids["Victorians"]})
    assert merged.status_code == 303
    assert {t.name: n for t, n in tags.tags_of(reader)} == {"classics": 1, "Victorians": 2}
    bad_merge = web.post(f"/tags/{ids['classics']}/merge", {"target_id": "0"})
    assert bad_merge.status_code == 422
    assert web.post(f"/tags/{ids['classics']}/rename", {"name": "Canon"}).status_code == 303
    assert web.post(f"/tags/{ids['Victorians']}/delete").status_code == 303
    assert [t.name for t, _ in tags.tags_of(reader)] == ["Canon"]
    assert client.get(f"/u/reader/tags/{ids['Victorians']}").status_code == 404


def test_a_first_rating_records_a_read_and_the_section_follows(web, reader, book):
    response = web.post(f"/books/{book.id}/review", {"rating": "4"}, htmx=True)
    assert_fragment(response)
    body = text(response)
    assert 'id="reading" class="reading card"' in body and "You read this once." in body
