"""Every <time> on the main pages carries a datetime the HTML checker accepts.

The Nu HTML checker rejected the ``isoformat()`` values with microseconds; pages now write whole
seconds in UTC with "Z" (``webapp.filters.isotime``). A <time> without ``datetime`` fails too:
its readable text ("25 Nov 2026, 21:30 UTC") is not a valid time string.
"""

from __future__ import annotations

import re

from tests.factories import moderation_book, moderation_review
from webapp.services import moderation, reports, staff

TIME_TAG = re.compile(r"<time\b[^>]*>")
VALID = re.compile(r'datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"')


def times_on(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return TIME_TAG.findall(response.get_data(as_text=True))


def test_every_time_element_has_a_valid_utc_datetime(client, auth, users):
    author, reader = users("author"), users("reader")
    mod, admin = users("mod", role="moderator"), users("boss", role="admin")
    book = moderation_book()
    review = moderation_review(author, book)
    other = moderation_review(reader, book, stars="3", body="Reported and left open.")
    reports.report_review(reader, review, "spam", "An advert")
    reports.report_review(author, other, "abuse")
    moderation.hide(mod, review, "Spam")
    resting = users("resting")
    staff.suspend(admin, resting, 3, "Cooling off")
    book_path = f"/books/{book.id}-{book.slug}"

    pages = {
        "/": 1,  # the recent review excerpt
        book_path: 1,  # the visible review
        "/u/reader": 2,  # "reading since" and the review excerpt
    }
    found = {path: times_on(client, path) for path in pages}
    auth.login("author")
    found["/notifications"] = times_on(client, "/notifications")
    auth.logout()
    auth.login("boss")
    staff_pages = {
        "/moderation": 1,  # the open report on the other review
        "/moderation?status=resolved": 1,
        "/moderation/log": 2,  # the hide and the suspension
        f"/moderation/users/{author.id}": 2,  # joined, the report they filed
        f"/moderation/users/{resting.id}": 2,  # joined, suspended until
    }
    found.update({path: times_on(client, path) for path in staff_pages})
    pages.update(staff_pages)
    pages["/notifications"] = 1

    for path, tags in found.items():
        assert len(tags) >= pages[path], (path, tags)
        for tag in tags:
            assert VALID.search(tag), (path, tag)
