"""Every write path moves the data version of the public pages it changes (services/versions.py).

The route-permission matrix (test_route_permissions.py) knows how to make every POST succeed;
this walks each of its POST rows as the first role that gets a 303 and checks the versions of
the pages listed in EFFECTS moved. A POST endpoint with no entry here FAILS: a new write
route must say which public pages it changes (or ``None``: none a visitor sees).
"""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.web import test_route_permissions as routes
from webapp.extensions import db
from webapp.services import versions

ROUTES, RULES, Browserless, signed_in_as = (
    routes.ROUTES,
    routes.RULES,
    routes.Browserless,
    routes.signed_in_as,
)
matrix, matrix_rows = routes.matrix, routes.matrix_rows  # the matrix's rows, built once here


def book(w) -> str:
    return f"/books/{w.book.id}-{w.book.slug}"


def review(w) -> str:
    return f"/reviews/{w.review.id}"


def profile(name):
    return lambda w: f"/u/{name}"


def home(w) -> str:
    return "/"


def page(pattern: str):
    """A page's URL from the matrix's rows (``{w.…}`` fields)."""
    return lambda w: pattern.format(w=w)


author_page = page("/authors/{w.book.authors[0].id}")
list_page = page("/lists/{w.ids[list]}")


def lists_of(name):
    return page(f"/u/{name}/lists")


# POST endpoint → per POST case of ROUTES (in order): the pages whose version must move, or
# None when the action changes nothing a visitor sees. Optional "as"/"data" override the row.
EFFECTS: dict[str, list] = {
    "auth.login": [None],
    "auth.signup": [None],
    "auth.logout": [None],
    "account.change_email": [None],
    "account.change_password": [None],
    "account.end_other_sessions": [None],
    "account.delete": [
        {
            "pages": [book, profile("author"), list_page, lists_of("author")],
            "as": "author",
            "data": {"delete-password": "x"},
        }
    ],
    "account.notifications": [None],
    # A picture shows beside the reader's reviews on every book page: the site version moves.
    "account.avatar": [[profile("reader"), book], None],
    "account.remove_avatar": [None],  # the row's reader has no picture: nothing changes
    "books.upload_cover": [[book, home], None],
    "books.remove_cover": [None],  # the row's book has no cover: nothing changes
    "account.resend_confirmation": [None],
    "account.privacy": [[profile("reader")]],
    "account.change_bio": [[profile("reader")]],
    "recovery.forgot_password": [None],
    "recovery.reset_password": [None],
    "recovery.confirm_email": [None],
    "mail.unsubscribe": [None],
    "jobs.retry": [None, None],
    "reports.review": [None],  # one reader's report hides nothing (a staff one: tested apart)
    "reports.user": [None],
    "exports.request_archive": [None],
    "imports.upload": [None],
    "imports.undo": [None],  # an empty import (undoing real ones: test_imports)
    "notices.mark_read": [None],
    "moderation.review_action": [None, [book], [book], [book], [book]],
    "moderation.bulk": [None, [book, home]],
    "moderation.suspend": [[book, home], [book, home]],
    "moderation.unsuspend": [[book, home]],
    "moderation.role": [[book]],
    "moderation.dismiss_user_reports": [None],
    "moderation.edit_book": [[book, home, author_page, list_page]],
    "moderation.merge_book": [[book, home, author_page, list_page]],
    "catalog.new": [
        {
            "pages": [home, author_page],
            "data": {"title": "A Brand New Book", "authors": "New Writer"},
        }
    ],
    "books.shelf": [[profile("reader"), book]],
    "books.want": [[profile("reader"), book]],
    "books.private": [None],  # the reader's own notes: no public page shows them
    "reviews.save": [[book, profile("reader"), home, author_page, list_page]],
    "reviews.preview": [None],
    "reviews.delete": [[book, profile("author"), home, review]],
    "reviews.helpful": [[book, profile("author")]],
    "reads.add": [[profile("reader")]],
    "reads.edit": [[profile("author")]],
    "reads.delete": [[profile("author")]],
    "reads.progress": [[profile("author")]],
    "reads.goal": [[profile("reader")]],
    "reads.delete_goal": [None],  # the reader had no goal
    "reads.privacy": [[profile("reader")]],
    "tags.for_book": [[profile("author")]],
    "tags.rename": [[profile("author")]],
    "tags.merge": [[profile("author")]],
    "tags.delete": [[profile("author")]],
    "social.follow": [[profile("author")]],
    "social.unfollow": [[profile("author")]],
    "social.mute": [None],
    "social.unmute": [None],
    "social.block": [[profile("author")], None],
    "social.unblock": [[profile("author")]],
    "social.approve": [[profile("author")]],
    "social.decline": [[profile("author")]],
    "lists.new": [[home, profile("reader"), lists_of("reader")]],
    "lists.add": [None],  # already on the list (adding another: tests/unit/test_versions.py)
    "lists.change": [
        None,
        None,
        [book, home, list_page, lists_of("author")],
    ],  # one book: up and down move nothing
    "lists.place": [None],  # one book: its place does not change
    "lists.note": [[book, home, list_page]],
    "lists.edit": [
        [book, home, profile("author"), list_page, lists_of("author")]
    ],  # the title shows on its books' pages
    "lists.delete": [[book, home, profile("author"), list_page, lists_of("author")]],
    "replies.create": [[review, book]],
    "replies.edit": [[review]],
    "replies.delete": [[review]],
    "replies.report": [None],
    "moderation.reply_action": [[review], None, None],
}
PREFERRED = ("reader", "author", "moderator", "admin")
POSTS = sorted({endpoint for endpoint, method in RULES if method == "POST"})


def page_versions(app, path: str) -> tuple:
    endpoint, args = app.url_map.bind("localhost").match(path, method="GET")
    found = versions.for_page(endpoint, args)
    assert found is not None, f"{path} ({endpoint}) has no versions"
    return found


def test_matrix_every_post_endpoint_says_which_pages_it_changes():
    assert sorted(set(POSTS) - set(EFFECTS)) == []
    for endpoint in POSTS:
        cases = [c for c in ROUTES[endpoint] if c.method == "POST"]
        assert len(EFFECTS[endpoint]) == len(cases), endpoint


@pytest.mark.parametrize("endpoint", POSTS)
def test_matrix_write_moves_the_versions_of_the_pages_it_changes(matrix, transaction, endpoint):
    app, rows = matrix
    first = Browserless(app.test_client())
    first.token()
    cases = [c for c in ROUTES[endpoint] if c.method == "POST"]
    for case, effect in zip(cases, EFFECTS[endpoint], strict=True):
        if effect is None:
            continue
        if not isinstance(effect, dict):
            effect = {"pages": effect}
        role = effect.get("as") or next((r for r in PREFERRED if case.expect[r] == 303), "reader")
        with transaction.rolled_back():
            if "/restore" in case.url(rows):
                from webapp.services import moderation

                moderation.hide(rows.users["admin"], rows.review, "Checking")
            pages = [p(rows) for p in effect["pages"]]
            before = {p: page_versions(app, p) for p in pages}
            data = effect.get("data") or case.data(rows)
            if "delete-password" in data:
                data = {"delete-password": UserFactory.password}
            client = signed_in_as(app, rows.users[role], first.client.csrf)
            response = Browserless(client).post(case.url(rows), data)
            assert response.status_code == 303, (case.url(rows), role, response.status_code)
            db.session.expire_all()
            still = [p for p in pages if page_versions(app, p) == before[p]]
            assert still == [], f"POST {case.url(rows)} as {role} left these pages' versions"


# POSTs that answer 303 yet change nothing in the database for the matrix's rows, or change
# the account a link's token names rather than the signed-in one.
UNCHANGED = {
    "lists.add": "the book is already on the list",
    "lists.place": "one book: its place does not change",
    "books.remove_cover": "the book has no cover",
    "account.remove_avatar": "the reader has no picture",
    "reads.delete_goal": "the reader had no goal",
    "mail.unsubscribe": "the token's account",
    "recovery.confirm_email": "the token's account",
}
NO_OP_URLS = ("/up", "/down")  # one book on the list: up and down move nothing


@pytest.mark.parametrize("endpoint", POSTS)
def test_matrix_write_moves_the_actors_own_version(matrix, transaction, endpoint):
    """Whatever a POST changes, the reader who sent it sees it on their next page: their kept
    pages (webapp/reader_cache.py) are checked against their own version, which moved."""
    app, rows = matrix
    first = Browserless(app.test_client())
    first.token()
    for case in (c for c in ROUTES[endpoint] if c.method == "POST"):
        role = next((r for r in PREFERRED if case.expect[r] == 303), None)
        if role is None or endpoint in UNCHANGED or endpoint.startswith("auth."):
            continue
        with transaction.rolled_back():  # rows are read inside: the session's turn is here
            actor = rows.users[role]
            if case.url(rows).endswith(NO_OP_URLS):
                continue
            if "/restore" in case.url(rows):
                from webapp.services import moderation

                moderation.hide(rows.users["admin"], rows.review, "Checking")
            data = case.data(rows)
            if "delete-password" in data:
                data = {"delete-password": UserFactory.password}
            client = signed_in_as(app, actor, first.client.csrf)  # a session row: it moves
            before = versions.current([("reader", actor.id)])
            response = Browserless(client).post(case.url(rows), data)
            assert response.status_code == 303, (case.url(rows), role, response.status_code)
            moved = versions.current([("reader", actor.id)]) != before
            assert moved, f"POST {case.url(rows)} as {role} left the reader's own version"
