"""The task queue: periodic jobs, the Redis queue, mail files in development."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import pytest

from tests.conftest import REDIS_TEST_URL, Browserless, require
from tests.factories import UserFactory
from tests.mailbox import run_jobs
from tests.unit.test_doctor import redis_reachable
from webapp.extensions import db
from webapp.models import utcnow
from webapp.services import staff


def test_expired_suspensions_end_in_a_periodic_job(app):
    users = UserFactory()
    admin, reader = users("admin", role="admin"), users("reader")
    staff.suspend(admin, reader, 3, "Spam")
    reader.suspended_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    huey = app.extensions["huey"]
    due = [t.name for t in huey.read_periodic(datetime(2026, 11, 25, 12, 30))]
    assert "end_suspensions" in due and "send_digests" not in due
    assert "send_digests" in [t.name for t in huey.read_periodic(datetime(2026, 11, 25, 7, 0))]
    huey.enqueue(huey.colophon_tasks["end_suspensions"].s())
    run_jobs(app)
    db.session.refresh(reader)
    assert reader.suspended_until is None


def test_development_mail_is_written_to_files_and_listed(make_app, tmp_path):
    app = make_app(MAIL_DIR=str(tmp_path / "mail"))
    web = Browserless(app.test_client())
    with app.app_context():
        form = {
            "username": "devreader",
            "email": "dev@example.com",
            "password": "long passphrase 1",
        }
        assert web.post("/signup", form).status_code == 303
        run_jobs(app)
        assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
        page = web.client.get("/dev/mail").get_data(as_text=True)
        assert "Confirm your email address" in page and "dev@example.com" in page
        assert '<a href="http://localhost/email/confirm/' in page


def test_production_has_no_mail_listing(make_app):
    app = make_app(
        COLOPHON_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        SITE_URL="https://books.example.org",
        TRUSTED_HOSTS=["books.example.org"],
    )
    with app.app_context():
        assert "dev_mail.outbox" not in app.view_functions
        response = app.test_client().get("/dev/mail", base_url="https://books.example.org")
        assert response.status_code == 404


@pytest.fixture
def redis_app(make_app, mailbox):
    require(redis_reachable(), "Redis at 127.0.0.1:6379 is unreachable")
    app = make_app(TASK_QUEUE="redis", REDIS_URL=REDIS_TEST_URL, MAIL_URL=mailbox.url)
    app.extensions["huey"].flush()
    yield app
    app.extensions["huey"].flush()


def test_redis_queue_carries_the_mail(redis_app, mailbox):
    web = Browserless(redis_app.test_client())
    with redis_app.app_context():
        UserFactory()("reader")
        web.post("/password/forgot", {"email": "reader@example.com"})
        assert redis_app.extensions["huey"].pending_count() == 1
        assert run_jobs(redis_app) == 1
        (message,) = mailbox.messages
        assert message["Subject"] == "Reset your password"
        health = web.client.get("/healthz").get_json()
        assert (health["status"], health["database"], health["redis"]) == ("ok", "ok", "ok")


def test_expired_archives_and_old_imports_are_deleted_by_a_periodic_job(app):
    from webapp.models import AccountArchive, LibraryImport
    from webapp.services import archives, retention

    reader = UserFactory()("keeper")
    now = utcnow()

    def archive(built_days_ago: int | None, requested_days_ago: int) -> int:
        row = AccountArchive(
            user_id=reader.id,
            token=secrets.token_urlsafe(8),
            created_at=now - timedelta(days=requested_days_ago),
        )
        if built_days_ago is not None:
            row.data, row.ready_at = "{}", now - timedelta(days=built_days_ago)
            row.expires_at = row.ready_at + archives.KEEP_FOR
        db.session.add(row)
        db.session.flush()
        return row.id

    def library_import(days_ago: int, state: str) -> int:
        row = LibraryImport(
            user_id=reader.id,
            kind="goodreads",
            choice="keep_mine",
            filename="x.csv",
            data=b"Title\n" if state == "running" else None,
            state=state,
            header=[],
            outcomes=[{"number": 1, "raw": {"Title": "Mine"}}],
            created_at=now - timedelta(days=days_ago),
        )
        db.session.add(row)
        db.session.flush()
        return row.id

    fresh = archive(1, 1)
    archive(8, 8)  # expired a day ago
    archive(None, 8)  # never built (its job was lost)
    recent = library_import(29, "done")
    library_import(31, "running")  # a worker lost it a month ago: its file goes too
    library_import(45, "done")
    db.session.commit()
    huey = app.extensions["huey"]
    assert "clean_up" in [t.name for t in huey.read_periodic(datetime(2026, 11, 25, 12, 17))]
    assert "clean_up" not in [t.name for t in huey.read_periodic(datetime(2026, 11, 25, 12, 18))]
    huey.enqueue(huey.colophon_tasks["clean_up"].s())
    run_jobs(app)
    assert {a.id for a in db.session.query(AccountArchive)} == {fresh}
    assert {i.id for i in db.session.query(LibraryImport)} == {recent}
    assert retention.clean_up() == {"archives": 0, "imports": 0}  # nothing left to do
