"""Download everything (JSON): requested on /account, built by the worker, a link that is the
reader's alone and expires."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from tests.factories import make_book
from tests.mailbox import run_jobs
from webapp.extensions import db
from webapp.models import AccountArchive, Notice
from webapp.services import notices, reports, reviews, shelves, tags


def test_archive_is_built_by_the_worker_and_expires(app, web, auth, users):
    reader, other = users("archivist"), users("stranger")
    book = make_book("Middlemarch", authors=("George Eliot",))
    reviews.save(reader, book, stars="5", body="*Wise.*")
    tags.set_for_book(reader, book, "victorian")
    shelves.set_private(reader, book, notes="From Gran.", owned_copies=2, content_warnings="Grief")
    theirs = reviews.save(other, make_book("Other"), stars="2", body="Meh.")[0]
    reports.report_review(reader, theirs, "spam")
    shelves.set_status(reader, make_book("Later"), "want_to_read")
    notices.notify(reader.id, "An earlier notice.")
    db.session.commit()

    auth.login("archivist")
    page = web.client.get("/account").get_data(as_text=True)
    assert "Download everything (JSON)" in page and "Export library (CSV)" in page
    assert (
        web.post("/account/export/archive", {"archive-csrf_token": web.token()}).status_code == 303
    )
    archive = db.session.scalar(select(AccountArchive).where(AccountArchive.user_id == reader.id))
    assert archive.ready_at is None
    url = f"/account/export/archive/{archive.token}.json"
    assert web.client.get(url).status_code == 404  # not built yet

    run_jobs(app)
    notice = db.session.scalar(
        select(Notice).where(Notice.user_id == reader.id).order_by(Notice.id.desc())
    )
    assert notice.link.endswith(url)
    response = web.client.get(url)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["username"] == "archivist"
    assert [(r["rating"], r["body"]) for r in data["reviews"]] == [(10, "*Wise.*")]
    assert {s["status"] for s in data["shelves"]} == {"read", "want_to_read"}
    kept = next(s for s in data["shelves"] if s["book_id"] == book.id)
    assert (kept["private_notes"], kept["owned_copies"], kept["content_warnings"]) == (
        "From Gran.",
        2,
        "Grief",
    )
    assert data["tags"] == ["victorian"] and len(data["reads"]) == 1
    assert [r["reason"] for r in data["reports_filed"]] == ["spam"]
    assert [n["message"] for n in data["notices"]] == ["An earlier notice."]

    auth.logout()
    auth.login("stranger")
    assert web.client.get(url).status_code == 404  # someone else's link
    auth.logout()
    auth.login("archivist")
    archive.expires_at = archive.ready_at - timedelta(seconds=1)
    db.session.commit()
    assert web.client.get(url).status_code == 404  # expired
