"""Issue 15, item 3: where focus goes after each in-place swap, what the live region says, and
the small frictions (shelf saves on change, language names, the histogram's half stars)."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_book, make_review
from webapp.services import reviews, shelves

BOTH = pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])


@pytest.fixture
def book(app):
    return make_book("Dune", authors=("Frank Herbert",), language="en", year=1965)


def html_of(response) -> str:
    return response.get_data(as_text=True)


def focus_marks(html: str) -> list[str]:
    """The start tags carrying data-focus-here (site.js focuses the first, after a swap)."""
    return re.findall(r"<[a-z0-9]+\b[^>]*\bdata-focus-here\b[^>]*>", html)


def test_flash_region_keeps_its_element(web, book, reader):
    """htmx swaps the live region's contents, not the region: screen readers announce them."""
    html = html_of(web.post(f"/books/{book.id}/review", {"rating": "4"}, htmx=True))
    assert '<div id="flash" hx-swap-oob="innerHTML">' in html
    page = html_of(web.client.get(f"/books/{book.id}-dune"))
    assert '<div id="flash" class="flash-region" aria-live="polite">' in page


def test_saved_review_focuses_its_heading(web, book, reader):
    response = web.post(f"/books/{book.id}/review", {"rating": "4", "body": "Yes"}, htmx=True)
    marks = focus_marks(html_of(response))
    assert len(marks) == 1 and 'id="my-review-heading"' in marks[0] and 'tabindex="-1"' in marks[0]


def test_invalid_review_marks_nothing(web, book, reader):
    """On 422 site.js focuses the first invalid field; no heading may take that away."""
    response = web.post(f"/books/{book.id}/review", {"rating": "9"}, htmx=True)
    assert response.status_code == 422
    html = html_of(response)
    assert focus_marks(html) == [] and 'aria-invalid="true"' in html


def test_deleted_review_focuses_the_review_heading(web, book, reader):
    review = make_review(reader, book, "3", body="Fine")
    html = html_of(web.post(f"/reviews/{review.id}/delete", {}, htmx=True))
    marks = focus_marks(html)
    assert marks and 'id="my-review-heading"' in marks[0]


def test_edit_focuses_the_form_heading_and_cancel_the_review(web, book, reader):
    review = make_review(reader, book, "3", body="Fine")
    edit = html_of(web.htmx_get(f"/reviews/{review.id}/edit"))
    marks = focus_marks(edit)
    assert len(marks) == 1 and 'class="form-heading"' in marks[0]
    cancel = html_of(web.htmx_get(f"/reviews/{review.id}"))
    marks = focus_marks(cancel)
    assert len(marks) == 1 and f'id="review-{review.id}"' in marks[0]
    # The full pages carry no mark (a stale one would steal focus at the next swap).
    assert focus_marks(html_of(web.client.get(f"/reviews/{review.id}/edit"))) == []
    assert focus_marks(html_of(web.client.get(f"/reviews/{review.id}"))) == []


def test_helpful_keeps_focus_on_the_button_and_tells_screen_readers(web, users, book, reader):
    review = make_review(users("other"), book, "2", body="Slow")
    html = html_of(web.post(f"/reviews/{review.id}/helpful", {}, htmx=True))
    marks = focus_marks(html)
    assert len(marks) == 1 and "helpful-button" in marks[0] and 'aria-pressed="true"' in marks[0]
    # Quiet: the pressed button shows it; the live region says it to screen readers only.
    assert '<p class="visually-hidden">Marked as helpful.</p>' in html
    assert 'role="status">Marked as helpful' not in html


def test_show_more_focuses_the_first_new_review(web, users, book):
    made = [make_review(users(), book, "3", body=f"Review {n}") for n in range(23)]
    first_page = html_of(web.client.get(f"/books/{book.id}-dune"))
    assert focus_marks(first_page) == []
    more = re.search(r'href="(/books/\d+/reviews\?[^"]+)"', first_page).group(1)
    html = html_of(web.htmx_get(more.replace("&amp;", "&")))
    marks = focus_marks(html)
    assert len(marks) == 1 and re.search(r'id="review-\d+"', marks[0])
    assert len(made) == 23


def test_shelf_saves_on_change_with_js_and_keeps_save_without(client, book, reader):
    html = html_of(client.get(f"/books/{book.id}-dune"))
    form = re.search(r'<form id="shelf-form"[^>]*>', html).group(0)
    assert 'hx-trigger="change delay:400ms, submit"' in form
    # The Save button stays in the page (no JS); site.js adds .js and CSS hides .no-js-only.
    assert re.search(r'<button type="submit" class="secondary no-js-only" id="shelf-save">', html)


def test_language_is_named(client, book):
    html = html_of(client.get(f"/books/{book.id}-dune"))
    assert "<dt>Language</dt><dd>English" in html
    assert '<meta itemprop="inLanguage" content="en">' in html  # machines keep the code


def test_histogram_says_where_half_stars_go(client, users, book):
    make_review(users(), book, "3.5")
    html = html_of(client.get(f"/books/{book.id}-dune"))
    assert "Half stars count toward the star above: 3.5 ★ is under 4 stars." in html


def test_add_book_warning_takes_focus(web, reader):
    make_book("The Left Hand of Darkness", authors=("Ursula K. Le Guin",))
    data = {"title": "The Left Hand of Darkness", "authors": "Ursula K. Le Guin"}
    response = web.post("/books/new", data, htmx=True, page="/books/new")
    assert response.status_code == 422
    marks = focus_marks(html_of(response))
    assert len(marks) == 1 and 'class="similar-books"' in marks[0]


def test_create_an_account_from_a_book_page_keeps_the_way_back(client, book):
    html = html_of(client.get(f"/books/{book.id}-dune"))
    assert f'href="/signup?next=/books/{book.id}-dune">create an account</a>' in html


def test_sign_up_from_elsewhere_goes_home(web):
    data = {"username": "newbie", "email": "newbie@example.com", "password": "a long passphrase"}
    response = web.post("/signup", {**data, "next": "https://evil.example/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"


# One-click "Want to read" --------------------------------------------------------------------


@BOTH
def test_want_to_read_on_the_book_page(web, book, reader, htmx):
    page = html_of(web.client.get(f"/books/{book.id}-dune"))
    assert re.search(r'<form class="want-form" method="post" action="/books/\d+/shelf"', page)
    assert '<input type="hidden" name="status" value="want_to_read">' in page
    response = web.post(f"/books/{book.id}/shelf", {"status": "want_to_read"}, htmx=htmx)
    assert shelves.status_of(reader, book) == "want_to_read"
    if htmx:
        html = html_of(response)
        assert html.lstrip().startswith('<div id="shelf-control"') and "want-form" not in html
        marks = focus_marks(html)  # the button went: focus moves to the select
        assert len(marks) == 1 and 'id="shelf-status"' in marks[0]
        assert "Shelved as Want to read." in html
    else:
        assert response.headers["Location"] == f"/books/{book.id}-dune#shelf-control"
        assert "want-form" not in html_of(web.client.get(f"/books/{book.id}-dune"))


def want_button(html: str, book) -> str:
    """The card's toggle (its start tag), or "" when the card has none."""
    found = re.search(rf'<div id="want-{book.id}".*?</div>', html, re.S)
    button = found and re.search(r"<button[^>]*>", found.group(0))
    return button.group(0) if button else ""


@BOTH
def test_want_to_read_on_a_card_and_back_off(web, book, reader, htmx):
    listing = html_of(web.client.get("/books?sort=top"))
    assert f'action="/books/{book.id}/want"' in listing
    assert '<input type="hidden" name="next" value="/books?sort=top">' in listing
    assert 'aria-pressed="false"' in want_button(listing, book)
    response = web.post(f"/books/{book.id}/want", {"next": "/books?sort=top"}, htmx=htmx)
    assert shelves.status_of(reader, book) == "want_to_read"
    if htmx:
        html = html_of(response)
        assert html.lstrip().startswith(f'<div id="want-{book.id}"') and "<html" not in html
        marks = focus_marks(html)  # focus stays on the (now pressed) button
        assert len(marks) == 1 and 'aria-pressed="true"' in marks[0]
        assert '<input type="hidden" name="next" value="/books?sort=top">' in html
        assert '<p class="visually-hidden">Dune: on your Want to read shelf.</p>' in html
        assert "HX-Request" in response.headers["Vary"]
    else:
        assert response.status_code == 303
        assert response.headers["Location"] == f"/books?sort=top#want-{book.id}"
        listing = html_of(web.client.get("/books?sort=top"))
        assert "Dune: on your Want to read shelf." in listing
        assert 'aria-pressed="true"' in want_button(listing, book)
    data = {"next": "/books?sort=top", "want": "0"}
    response = web.post(f"/books/{book.id}/want", data, htmx=htmx)
    assert shelves.status_of(reader, book) is None
    if htmx:
        assert 'aria-pressed="false"' in focus_marks(html_of(response))[0]
        assert "Dune: taken off your Want to read shelf." in html_of(response)
    else:
        assert 'aria-pressed="false"' in want_button(html_of(web.client.get("/books")), book)


def test_want_to_read_keeps_a_book_on_its_shelf(web, book, reader):
    shelves.set_status(reader, book, "reading")
    for want in ("1", "0"):  # neither click moves a book being read
        response = web.post(f"/books/{book.id}/want", {"next": "//evil.example", "want": want})
        assert response.headers["Location"] == f"/books/{book.id}-dune"  # never off the site
        assert shelves.status_of(reader, book) == "reading"
    listing = html_of(web.client.get("/books"))
    assert want_button(listing, book) == "" and "On your Reading shelf" in listing


def test_want_to_read_twice_stays_shelved_once(web, book, reader):
    for _ in range(2):
        assert web.post(f"/books/{book.id}/want", {"next": "/books"}).status_code == 303
    assert shelves.status_of(reader, book) == "want_to_read"


def test_want_to_read_needs_a_reader_and_a_token(web, client, book):
    response = client.get("/books")
    link = 'href="/login?next=/books"'
    assert link in html_of(response) and want_button(html_of(response), book) == ""
    assert "Set-Cookie" not in response.headers  # visitors: a link, no form, no cookie
    response = web.post(f"/books/{book.id}/want")
    assert response.status_code == 303 and "/login" in response.headers["Location"]
    assert web.post("/books/999999/want").status_code in (303, 404)


@pytest.fixture
def listed(book, users):
    """Dune on every page that shows book cards: reviewed, by its author, shelved and tagged."""
    from webapp.services import tags

    owner = users("owner")
    make_review(owner, book, "4", body="Sand.")
    shelves.set_status(owner, book, "read")
    tags.set_for_book(owner, book, "desert")
    tag = tags.tags_of(owner)[0][0]
    return {
        "home": "/",
        "books": "/books",
        "search": "/books?q=dune",
        "author": f"/authors/{book.authors[0].id}-{book.authors[0].slug}",
        "profile": "/u/owner",
        "tag": f"/u/owner/tags/{tag.id}",
    }


PAGES = ["home", "books", "search", "author", "profile", "tag"]


@pytest.mark.parametrize("page", PAGES)
def test_every_card_offers_want_to_read(client, auth, users, book, listed, page):
    visitor = html_of(client.get(listed[page]))
    assert 'class="button secondary want-button" href="/login?next=' in visitor, page
    users("reader")
    auth.login("reader")
    response = client.get(listed[page])
    if page == "home":  # a signed-in reader's home is the feed, which has no cards
        return
    assert 'aria-pressed="false"' in want_button(html_of(response), book), page
    assert response.headers["Cache-Control"] == "private, no-store"


def test_cards_shelf_states_cost_one_query(client, users, auth, count_queries):
    users("reader")
    auth.login("reader")

    def statements() -> int:
        with count_queries() as seen:
            assert client.get("/books").status_code == 200
        return len(seen)

    make_book("First", ["A"])
    few = statements()
    for n in range(10):
        make_book(f"Book {n}", [f"Author {n}"])
    assert statements() == few


# A rating without words ----------------------------------------------------------------------


def test_a_rating_alone_is_a_compact_line(client, users, auth, book):
    rated = make_review(users("rater"), book, "4")
    worded = make_review(users("writer"), book, "2", body="Slow going.")
    users("reader")
    auth.login("reader")
    html = html_of(client.get(f"/books/{book.id}-dune"))
    line = html.split(f'id="review-{rated.id}"')[1].split("</article>")[0]
    assert 'class="rating-line"' in line and "rated it" in line and "4 out of 5 stars" in line
    assert "Helpful" not in line and "Report" not in line  # nothing to vote on or report
    card = html.split(f'id="review-{worded.id}"')[1].split("</article>")[0]
    assert "helpful-button" in card and "rating-line" not in card


def test_own_rating_alone_keeps_edit_and_delete(client, book, reader):
    mine = make_review(reader, book, "3.5")
    html = html_of(client.get(f"/books/{book.id}-dune"))
    line = html.split(f'id="review-{mine.id}"')[1].split("</article>")[0]
    assert 'class="rating-line"' in line and "Edit<span" in line and "Delete<span" in line


# Bio on /account ---------------------------------------------------------------------------


@BOTH
def test_bio_is_saved_and_shown_sanitised_on_the_profile(web, client, reader, htmx):
    page = html_of(client.get("/account"))
    assert 'id="profile-heading">Your profile' in page and 'name="bio-bio"' in page
    bio = "Reads **slowly**. <script>alert(1)</script>"
    response = web.post("/account/bio", {"bio-bio": bio}, htmx=htmx, page="/account")
    assert reader.bio == bio
    if htmx:
        html = html_of(response)
        assert html.lstrip().startswith('<form id="bio-form"') and "<html" not in html
        assert 'id="bio-save"' in html and "Your profile was saved." in html
    else:
        assert response.status_code == 303 and response.headers["Location"] == "/account"
    profile = html_of(client.get("/u/reader"))
    assert "<strong>slowly</strong>" in profile and "<script>alert" not in profile


@BOTH
def test_too_long_a_bio_is_422_with_the_text_kept(web, reader, htmx):
    response = web.post("/account/bio", {"bio-bio": "x" * 1001}, htmx=htmx, page="/account")
    assert response.status_code == 422
    html = html_of(response)
    assert "Keep it under 1,000 characters (1,001 now)." in html and "x" * 1001 in html
    assert ("<html" in html) is not htmx
    assert reader.bio is None


# Markdown preview ----------------------------------------------------------------------------


@BOTH
def test_preview_shows_the_sanitised_markdown_and_keeps_the_text(web, book, reader, htmx):
    body = "Spice is **everything**. <script>alert(1)</script>"
    data = {"rating": "4", "title": "Sandy", "body": body}
    response = web.post(f"/books/{book.id}/review/preview", data, htmx=htmx)
    assert response.status_code == 200
    html = html_of(response)
    assert "<strong>everything</strong>" in html and "<script>alert" not in html
    if htmx:
        assert html.lstrip().startswith('<div id="review-preview"') and "<html" not in html
        marks = focus_marks(html)
        assert len(marks) == 1 and 'aria-labelledby="review-preview-heading"' in marks[0]
    else:  # the whole page: the form with the reader's text, and the preview beside it
        assert "<html" in html and 'value="Sandy"' in html and "&lt;script&gt;alert(1)" in html
        assert focus_marks(html) == []
    assert reviews.find(reader, book) is None  # nothing saved


def test_preview_needs_the_token(client, book, reader):
    assert client.post(f"/books/{book.id}/review/preview", data={"body": "x"}).status_code == 400


def test_the_editor_offers_preview(client, book, reader):
    html = html_of(client.get(f"/books/{book.id}-dune"))
    assert re.search(
        r'<button type="submit" class="secondary" id="review-preview-button" '
        rf'formaction="/books/{book.id}/review/preview#review-preview"\s+hx-post=',
        html,
    )
