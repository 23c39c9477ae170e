"""Mail through a real SMTP server: confirmation, password reset, address change, notices.

The jobs run as the worker runs them (``run_jobs``: huey dequeues and executes each one);
the mails are read off the SMTP server and their links followed with the test client.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from tests.conftest import Browserless, csrf_from
from tests.factories import UserFactory, moderation_book, moderation_review
from tests.mailbox import run_jobs
from webapp.extensions import db
from webapp.models import JobFailure, Notice, OutboxMessage, Review, User, utcnow
from webapp.services import accounts, moderation
from webapp.views.recovery import RESET_SENT

PW = UserFactory.password
NEW_PW = "a brand new passphrase"


@pytest.fixture
def app(shared_app, transaction, mailbox):
    """The shared app, sending to the test SMTP server, with its in-memory queue emptied."""
    app = shared_app(MAIL_URL=mailbox.url, MAIL_FROM="Colophon <books@colophon.test>")
    app.extensions["huey"].flush()
    with app.app_context():
        yield app
        db.session.remove()


def path_of(link: str) -> str:
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def confirm(web, link: str):
    page = web.client.get(path_of(link))
    assert page.status_code == 200
    return web.client.post(path_of(link), data={"csrf_token": csrf_from(page.get_data(True))})


def test_sign_up_mails_a_confirmation_link_that_confirms(app, web, mailbox):
    response = web.post(
        "/signup", {"username": "newbie", "email": "newbie@example.com", "password": NEW_PW}
    )
    assert response.status_code == 303
    assert mailbox.messages == []  # sent by the worker, not by the request
    assert run_jobs(app) == 1
    (message,) = mailbox.messages
    assert message["Subject"] == "Confirm your email address"
    assert message["From"] == "Colophon <books@colophon.test>"
    assert message["To"] == "newbie <newbie@example.com>"
    assert message.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert "Hello newbie" in mailbox.text(message)
    assert "List-Unsubscribe" not in message  # about the account itself: always sent
    link = mailbox.link(message, "/email/confirm/")
    assert link.startswith("http://localhost/")  # SITE_URL, not the request's host
    assert 'href="' + link + '"' in message.get_body(("html",)).get_content()

    response = confirm(web, link)
    assert response.status_code == 303
    user = User.by_username("newbie")
    assert user.email_verified
    assert web.client.get(path_of(link)).status_code == 410  # used


def test_next_survives_sign_up_and_the_confirmation_link(app, web, mailbox):
    """ "Create an account" on a book page leads back to the book, after sign-up and after
    following the mailed link (signed in, or through sign-in on another device)."""
    book = "/books/7-dune"
    page = web.client.get(f"/signup?next={book}").get_data(as_text=True)
    assert f'name="next" type="hidden" value="{book}"' in page
    assert 'href="/login?next=/books/7-dune"' in page  # "Sign in" keeps it too
    data = {"username": "newbie", "email": "newbie@example.com", "password": NEW_PW}
    response = web.post("/signup", {**data, "next": book})
    assert response.status_code == 303 and response.headers["Location"] == book
    assert run_jobs(app) == 1
    link = mailbox.link(mailbox.messages[0], "/email/confirm/")
    assert link.endswith("?next=/books/7-dune")
    response = confirm(web, link)
    assert response.status_code == 303 and response.headers["Location"] == book
    # A link from elsewhere never leads off the site.
    assert web.post("/signup", {**data, "next": "//evil.example"}).status_code != 500


def test_password_reset_same_answer_for_known_and_unknown(app, web, users, mailbox):
    users("reader")
    answers = []
    for address in ("reader@example.com", "nobody@example.com"):
        response = web.post("/password/forgot", {"email": address})
        answers.append((response.status_code, response.headers["Location"]))
        page = web.client.get(response.headers["Location"]).get_data(as_text=True)
        assert RESET_SENT in page
    assert answers[0] == answers[1] == (303, "/login")
    run_jobs(app)
    assert [m["To"] for m in mailbox.messages] == ["reader <reader@example.com>"]


def test_reset_link_works_once_and_signs_out_every_session(app, web, users, auth, mailbox):
    reader = users("reader")
    other = Browserless(app.test_client())  # a second signed-in session
    sign_in(other)
    assert other.client.get("/account").status_code == 200

    web.post("/password/forgot", {"email": "Reader@Example.com"})
    run_jobs(app)
    (message,) = mailbox.messages
    assert message["Subject"] == "Reset your password"
    link = path_of(mailbox.link(message, "/password/reset/"))

    page = web.client.get(link)
    assert page.status_code == 200 and b"Choose a new password" in page.data
    short = web.post(link, {"password": "short"})
    assert short.status_code == 422 and b"at least 10" in short.data.lower()
    done = web.post(link, {"password": NEW_PW})
    assert (done.status_code, done.headers["Location"]) == (303, "/login")
    assert web.client.get(link).status_code == 410  # single use
    assert web.post(link, {"password": "another new passphrase"}).status_code == 410

    assert other.client.get("/account").status_code == 303  # the other session ended
    assert auth.login("reader", PW).status_code == 422
    assert auth.login("reader", NEW_PW).status_code == 303
    db.session.refresh(reader)
    assert reader.email_verified  # the link reached the address


def sign_in(web):
    response = web.post("/login", {"login": "reader", "password": PW})
    assert response.status_code == 303


def test_reset_link_dies_after_an_hour(app, web, users):
    reader = users("reader")
    issued = utcnow() - timedelta(hours=1, seconds=1)
    token = accounts.reset_token(reader, now=issued)
    assert accounts.user_for_reset(token, now=issued + timedelta(minutes=59)) == reader
    assert accounts.user_for_reset(token, now=issued + timedelta(hours=1, seconds=1)) is None
    response = web.client.get(f"/password/reset/{token}")
    assert response.status_code == 410 and b"work once, for one hour" in response.data
    fresh = accounts.reset_token(reader)
    assert web.client.get(f"/password/reset/{fresh}").status_code == 200


def test_reset_is_rate_limited_per_address(make_app, mailbox):
    app = make_app(MAIL_URL=mailbox.url, RESET_LIMIT_PER_ADDRESS="2 per hour")
    web = Browserless(app.test_client())
    with app.app_context():
        for address in ("known@example.com", "unknown@example.com"):
            codes = [web.post("/password/forgot", {"email": address}).status_code for _ in "abc"]
            assert codes == [303, 303, 429]


def test_email_change_confirms_the_new_address_and_tells_the_old(app, web, users, auth, mailbox):
    reader = users("reader")
    auth.login()
    web.post("/account/email", {"email-email": "new@example.com", "email-current_password": PW})
    run_jobs(app)
    (message,) = mailbox.to("new@example.com")
    assert message["To"] == "reader <new@example.com>"
    response = confirm(web, mailbox.link(message, "/email/confirm/"))
    assert (response.status_code, response.headers["Location"]) == (303, "/account")
    db.session.refresh(reader)
    assert (reader.email, reader.pending_email, reader.email_verified) == (
        "new@example.com",
        None,
        True,
    )
    run_jobs(app)
    (told,) = mailbox.to("reader@example.com")
    assert told["Subject"] == "Your email address was changed"
    assert "new@example.com" in mailbox.text(told)


def hidden_review_notice(app, mailbox, *, digest: bool = False):
    users = UserFactory()
    author, admin = users("author"), users("admin", role="admin")
    author.email_verified_at, author.digest = utcnow(), digest
    db.session.commit()
    review = moderation_review(author, moderation_book())
    moderation.hide(admin, review, "Off topic")
    run_jobs(app)
    return author


def test_hidden_review_mail_has_one_click_unsubscribe(app, client, mailbox):
    author = hidden_review_notice(app, mailbox)
    (message,) = mailbox.to("author@example.com")
    assert "was hidden: Off topic" in mailbox.text(message)
    assert "http://localhost/books/" in mailbox.text(message)
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert client.get(path_of(unsubscribe)).status_code == 200  # asks; changes nothing
    db.session.refresh(author)
    assert author.notify_moderation
    # What a mail provider sends (RFC 8058): a POST without cookies or CSRF token.
    one_click = client.post(path_of(unsubscribe), data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 204
    db.session.refresh(author)
    assert not author.notify_moderation and author.notify_reports


def test_digest_gathers_notices_into_one_daily_mail(app, mailbox):
    from webapp.services import mail

    hidden_review_notice(app, mailbox, digest=True)
    assert mailbox.messages == []
    assert mail.send_digests() == 1
    assert mail.send_digests() == 0  # idempotent
    run_jobs(app)
    (digest,) = mailbox.messages
    assert digest["Subject"] == "Your daily Colophon digest"
    assert "was hidden: Off topic" in mailbox.text(digest)
    assert "List-Unsubscribe" in digest


def test_smtp_failure_is_retried_kept_and_retryable(app, web, users, auth, mailbox):
    mailbox.refuse = True
    response = web.post("/password/forgot", {"email": "nobody@example.com"})
    users("staff", role="moderator")
    response = web.post("/password/forgot", {"email": "staff@example.com"})
    assert response.status_code == 303  # never a 500 for the reader
    run_jobs(app)
    row = db.session.query(OutboxMessage).one()
    assert row.sent_at is None and row.attempts == 1 and "451" in row.last_error
    later = app.extensions["huey"]._get_timestamp()
    for hours in range(1, 10):  # the backoff schedule, played forward
        run_jobs(app, now=later + timedelta(hours=hours))
    row = db.session.query(OutboxMessage).one()
    assert row.attempts == 7 and row.sent_at is None
    (failure,) = db.session.query(JobFailure).all()
    assert (failure.task, failure.args, failure.attempts) == ("deliver_mail", [row.id], 7)

    auth.login("staff")
    page = web.client.get("/moderation/jobs").get_data(as_text=True)
    assert "deliver_mail" in page and "451" in page
    mailbox.refuse = False
    response = web.post(f"/moderation/jobs/{failure.id}/retry", page="/moderation/jobs")
    assert response.status_code == 303
    run_jobs(app)
    run_jobs(app)
    assert len(mailbox.messages) == 1  # sent once
    assert "No failed jobs" in web.client.get("/moderation/jobs").get_data(as_text=True)


def test_delivery_is_idempotent(app, users, mailbox):
    from webapp.services import mail
    from webapp.tasks import enqueue

    reader = users("reader")
    mail.queue(reader, "password_reset")
    db.session.commit()  # queues the delivery once
    message_id = db.session.query(OutboxMessage.id).scalar()
    enqueue("deliver_mail", message_id)  # and a duplicate, as a sweep or a retry might
    assert run_jobs(app) == 2
    assert len(mailbox.messages) == 1


def test_unconfirmed_readers_may_not_post_where_the_setting_says_so(make_app, mailbox):
    app = make_app(MAIL_URL=mailbox.url, UNVERIFIED_CAN_POST=False)
    web = Browserless(app.test_client())
    with app.app_context():
        reader = UserFactory()("reader")
        book = moderation_book()
        web.post("/login", {"login": "reader", "password": PW})
        response = web.post(f"/books/{book.id}/review", {"rating": "4"})
        assert (response.status_code, response.headers["Location"]) == (303, "/account")
        account = web.client.get("/account").get_data(as_text=True)
        assert "confirm your email address before posting" in account
        assert web.post("/account/confirm/resend").status_code == 303
        run_jobs(app)
        (message,) = mailbox.messages
        confirm(web, mailbox.link(message, "/email/confirm/"))
        db.session.refresh(reader)
        assert reader.email_verified
        assert web.post(f"/books/{book.id}/review", {"rating": "4"}).status_code == 303
        assert db.session.query(Review).filter_by(user_id=reader.id).count() == 1


def test_import_done_comes_by_mail_to_readers_who_asked(app, web, users, auth, mailbox):
    reader = users("importer")
    reader.email_verified_at = utcnow()
    db.session.commit()
    auth.login("importer")
    csv_file = (
        b"Title,Authors,ISBN/UID,Read Status,Star Rating\nPiranesi,Susanna Clarke,,read,4.5\n"
    )

    def upload(name):
        data = {"file": (io.BytesIO(csv_file), name), "choice": "keep_mine"}
        assert web.post("/import", data).status_code == 303
        run_jobs(app)

    upload("first.csv")
    (message,) = mailbox.to("importer@example.com")
    text = mailbox.text(message)
    assert "Your import of first.csv is done: 0 matched, 1 added" in text
    assert "http://localhost/import/" in text and "List-Unsubscribe" in message
    # Switched off on /account: the notice still comes, the mail does not.
    assert web.post("/account/notifications", {"notify-digest": "each"}).status_code == 303
    db.session.refresh(reader)
    assert not reader.notify_imports
    upload("second.csv")
    assert len(mailbox.to("importer@example.com")) == 1
    assert db.session.query(Notice).filter_by(user_id=reader.id).count() == 2


def test_notification_settings_form(app, web, users, auth):
    reader = users("reader")
    auth.login()
    page = web.client.get("/account").get_data(as_text=True)
    assert 'name="notify-moderation"' in page and 'value="daily"' in page
    assert 'name="notify-imports"' in page
    response = web.post("/account/notifications", {"notify-reports": "y", "notify-digest": "daily"})
    assert response.status_code == 303
    db.session.refresh(reader)
    assert (reader.notify_moderation, reader.notify_reports, reader.digest) == (False, True, True)
    htmx = web.post("/account/notifications", {"notify-digest": "weekly"}, htmx=True)
    assert htmx.status_code == 422 and b"<html" not in htmx.data
