"""Replies to reviews: posting (plain and htmx), editing, deleting, blocks, notices, mail,
held replies from new accounts, reports and staff actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditEntry, Notice, OutboxMessage, Reply, Report, utcnow
from webapp.services import blocks, replies

pytestmark = pytest.mark.usefixtures("shared_world")


def notices_of(user) -> list[str]:
    return list(db.session.scalars(select(Notice.message).where(Notice.user_id == user.id)))


def age(user, days: int = 30) -> None:
    user.created_at = utcnow() - timedelta(days=days)
    db.session.commit()


def url(world) -> str:
    return f"/reviews/{world.review.id}/replies"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_reply_posts_and_notifies(web, auth, world, htmx):
    auth.login("reader")
    page = f"/reviews/{world.review.id}"
    response = web.post(
        url(world), {"body": "Agreed, **lovely** <script>x</script>"}, htmx=htmx, page=page
    )
    reply = db.session.scalar(select(Reply).where(Reply.user_id == world.reader.id))
    assert reply is not None and not reply.is_hidden
    assert "<strong>lovely</strong>" in reply.body_html and "<script>" not in reply.body_html
    if htmx:
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html
        assert "HX-Request" in response.headers["Vary"]
        assert f'id="reply-{reply.id}"' in html and "data-focus-here" in html
    else:
        assert response.status_code == 303
        assert response.headers["Location"] == f"{page}#reply-{reply.id}"
    assert notices_of(world.author) == ["reader replied to your review of The Moderated Book."]
    html = web.client.get(page).get_data(as_text=True)
    assert "<strong>lovely</strong>" in html


def test_earlier_repliers_told_muters_not(world):
    age(world.reader)
    age(world.mod)
    replies.post(world.reader, world.review, "First!")
    blocks.mute(world.author, world.mod)
    replies.post(world.mod, world.review, "Second.")
    assert notices_of(world.reader) == [
        "mod replied to a review you replied to of The Moderated Book."
    ]
    assert notices_of(world.author) == ["reader replied to your review of The Moderated Book."]


def test_reply_mail_only_when_opted_in(world):
    world.author.email_verified_at = utcnow()
    world.author.notify_replies = False
    db.session.commit()
    replies.post(world.reader, world.review, "No mail for this one.")
    mails = select(OutboxMessage).where(OutboxMessage.user_id == world.author.id)
    assert db.session.scalars(mails).all() == []
    world.author.notify_replies = True
    db.session.commit()
    replies.post(world.reader, world.review, "Mail for this one.")
    assert [m.params["topic"] for m in db.session.scalars(mails)] == ["replies"]


def test_empty_reply_is_422_with_error(web, auth, world):
    auth.login("reader")
    response = web.post(url(world), {"body": "   "})
    assert response.status_code == 422
    assert "Write a reply first." in response.get_data(as_text=True)
    long = "x" * (replies.MAX_BODY + 1)
    response = web.post(url(world), {"body": long}, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and long in html and "<html" not in html


def test_blocked_reader_cannot_reply(web, auth, world):
    blocks.block(world.author, world.reader)
    auth.login("reader")
    assert web.post(url(world), {"body": "Let me in"}).status_code == 403
    assert db.session.scalar(select(Reply.id)) is None


def test_new_account_link_is_held_until_staff_let_it_through(web, auth, world):
    reply = replies.post(world.reader, world.review, "Buy at [this](https://spam.example)")
    assert reply.is_held and notices_of(world.author) == []
    assert replies.for_review(world.review, None) == []
    assert replies.for_review(world.review, world.reader) == [reply]
    auth.login("mod")
    assert f'id="queue-reply-{reply.id}"' in web.client.get("/moderation").get_data(as_text=True)
    response = web.post(f"/moderation/replies/{reply.id}/restore")
    assert response.status_code == 303
    db.session.refresh(reply)
    assert not reply.is_hidden
    assert notices_of(world.author) == ["reader replied to your review of The Moderated Book."]
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "reply"))
    assert list(actions) == ["restore_reply"]


def test_established_reader_link_is_not_held(world):
    age(world.reader)
    assert not replies.post(world.reader, world.review, "See https://example.org").is_hidden


def test_edit_and_delete_by_author_only(web, auth, world):
    reply = replies.post(world.reader, world.review, "Frist")
    auth.login("author")
    assert web.post(f"/replies/{reply.id}/edit", {"body": "hijack"}).status_code == 403
    assert web.post(f"/replies/{reply.id}/delete").status_code == 403
    auth.logout()
    auth.login("reader")
    assert web.post(f"/replies/{reply.id}/edit", {"body": ""}).status_code == 422
    assert web.post(f"/replies/{reply.id}/edit", {"body": "First *fixed*"}).status_code == 303
    db.session.refresh(reply)
    assert reply.body_html == "<p>First <em>fixed</em></p>\n"
    reply_id = reply.id
    assert web.post(f"/replies/{reply_id}/delete").status_code == 303
    db.session.expire_all()
    assert db.session.get(Reply, reply_id) is None


def test_report_then_staff_hide(web, auth, world):
    age(world.reader)
    reply = replies.post(world.reader, world.review, "Rude words")
    auth.login("author")
    response = web.post(f"/replies/{reply.id}/report", {"reason": "abuse"})
    assert response.status_code == 303
    assert web.post(f"/replies/{reply.id}/report", {"reason": "nonsense"}).status_code == 422
    auth.logout()
    auth.login("mod")
    queue = web.client.get("/moderation").get_data(as_text=True)
    assert "<strong>Abuse or harassment</strong>" in queue and "— reported by" in queue
    assert web.post(f"/moderation/replies/{reply.id}/hide", {"reason": ""}).status_code == 422
    db.session.refresh(reply)
    assert not reply.is_hidden  # no reason, no hiding
    web.post(f"/moderation/replies/{reply.id}/hide", {"reason": "Be kind"})
    db.session.refresh(reply)
    assert reply.is_hidden and reply.hidden_reason == "Be kind"
    report = db.session.scalar(select(Report).where(Report.reply_id == reply.id))
    assert report.status == "actioned"
    assert "Your reply was hidden: Be kind" in notices_of(world.reader)
    assert replies.for_review(world.review, world.author) == []


def test_replies_are_rate_limited(make_app, world):
    from tests.conftest import AuthActions, Browserless

    app = make_app(REPLY_LIMIT_PER_USER="2 per hour")
    web = Browserless(app.test_client())
    AuthActions(web).login("reader")
    statuses = [web.post(url(world), {"body": f"Reply {n}"}).status_code for n in range(3)]
    assert statuses == [303, 303, 429]


def test_review_page_query_count_does_not_grow_with_replies(client, users, world, count_queries):
    page = f"/reviews/{world.review.id}"
    replies.post(world.reader, world.review, "One")
    client.get(page)
    with count_queries() as few:
        client.get(page)
    for n in range(5):
        replier = users(f"replier{n}")
        age(replier)
        replies.post(replier, world.review, f"Reply {n}")
    with count_queries() as many:
        html = client.get(page).get_data(as_text=True)
    assert "Replies (6)" in html
    assert len(many) == len(few)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_readers_reports_hide_a_reply_with_the_configured_rule(make_app, world, users, htmx):
    from tests.conftest import AuthActions, Browserless

    app = make_app(MODERATION_AUTO_HIDE=2, MODERATION_REPORTER_MIN_RATINGS=0)
    age(world.reader)
    reply = replies.post(world.reader, world.review, "Rude words")
    for name in ("first", "second"):
        age(users(name))
        web = Browserless(app.test_client())
        AuthActions(web).login(name)
        response = web.post(f"/replies/{reply.id}/report", {"reason": "abuse"}, htmx=htmx)
        assert response.status_code == (204 if htmx else 303)  # htmx: HX-Redirect back
    db.session.refresh(reply)
    assert reply.is_hidden and reply.hidden_kind == "reports"
    page = Browserless(app.test_client()).client.get(f"/reviews/{world.review.id}")
    assert "Rude words" not in page.get_data(as_text=True)
