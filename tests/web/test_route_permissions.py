"""Every route × every kind of visitor answers as the table below says.

ROUTES maps an endpoint to the requests to try (method, URL builder, form data builder) and the
status each role must get. The test walks ``app.url_map``: an endpoint (or a method of it) with
no row here FAILS, so every new route needs a permission rule. To add one, append to ROUTES
(``by_role`` spells the six statuses; ``Matrix`` holds the rows the URL builders may use).

The rows are built once for the module (the shared ``world`` plus ``matrix_rows``); every
request runs in a savepoint rolled back afterwards, so each role meets the same rows.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from tests.conftest import Browserless, config_for
from tests.factories import UserFactory, World, moderation_book, moderation_review
from tests.media_parts import png
from webapp import create_app
from webapp.extensions import db
from webapp.models import Book, Reply, User
from webapp.services import (
    accounts,
    follows,
    lists,
    login_sessions,
    moderation,
    reads,
    replies,
    reports,
    shelves,
    staff,
    tags,
)

ROLES = ("anonymous", "reader", "author", "moderator", "admin", "suspended")
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def by_role(anonymous, reader, author=None, moderator=None, admin=None, suspended=None) -> dict:
    """Statuses per role; author defaults to reader's, staff to reader's, suspended to anonymous."""
    author = reader if author is None else author
    moderator = reader if moderator is None else moderator
    admin = moderator if admin is None else admin
    suspended = anonymous if suspended is None else suspended
    return dict(zip(ROLES, (anonymous, reader, author, moderator, admin, suspended), strict=True))


EVERYONE_200 = by_role(200, 200)
SIGNED_IN_PAGE = by_role(303, 200)  # anonymous (and suspended) are sent to log in
STAFF_PAGE = by_role(303, 403, 403, 200, 200)
STAFF_ACTION = by_role(303, 403, 403, 303, 303)
ADMIN_ACTION = by_role(303, 403, 403, 403, 303)
NOT_ONESELF = by_role(303, 303, 403)  # the rows' target is the author


# The author's profile is private in these rows: their reviews, reading and lists are for
# themselves, staff and approved followers (none among the roles).
PRIVATE_PAGE = by_role(403, 403, 200, 200, 200)
PRIVATE_REVIEW = by_role(404, 404, 200, 200, 200)

OWN_PAGE = by_role(303, 404, 200)  # the author's own row; anyone else's is not found
OWN_ACTION = by_role(303, 404, 303)


@dataclass
class Matrix:
    """The rows one request runs against: a user per role, two books and a review."""

    users: dict
    book: object
    other_book: object
    review: object
    ids: dict = field(default_factory=dict)  # the author's read ("read") and tags ("tags")
    reply: object = None  # the author's reply to their own review

    def uid(self, name: str) -> int:
        return self.users[name].id


@dataclass
class Case:
    url: Callable[[Matrix], str]
    expect: dict
    method: str = "GET"
    data: Callable[[Matrix], dict] = field(default=lambda w: {})


def _get(url, expect):
    return Case(url if callable(url) else (lambda w, u=url: u), expect)


def _post(url, expect, data=None):
    return Case(
        url if callable(url) else (lambda w, u=url: u), expect, "POST", data or (lambda w: {})
    )


def _reset(w) -> str:

    return accounts.reset_token(w.users["author"])


def _confirm(w) -> str:

    return accounts.verification_token(w.users["author"], w.users["author"].email)


def _unsubscribe(w) -> str:
    from webapp.services import mail

    return mail.unsubscribe_token(w.users["author"], "all")


def _image(w, field: str = "image") -> dict:
    """A small real PNG as an upload (a fresh stream for every request)."""
    return {field: (io.BytesIO(png(40, 60)), "cover.png")}


def _failure(w) -> int:
    from webapp.services import jobs

    return jobs.record_failure("deliver_mail", [1], "SMTPServerDisconnected()", 7).id


def _import(w) -> int:
    """A finished import of the author's (only they may see or undo it)."""
    from webapp.models import LibraryImport

    job = LibraryImport(
        user_id=w.uid("author"),
        kind="goodreads",
        choice="keep_mine",
        filename="lib.csv",
        state="done",
        total=0,
        header=["Title"],
        outcomes=[],
    )
    db.session.add(job)
    db.session.commit()
    return job.id


def _archive(w) -> str:
    """A built archive of the author's (only they may download it)."""
    from webapp.models import utcnow
    from webapp.services import archives

    archive = archives.request_archive(w.users["author"])
    archive.data, archive.ready_at = "{}", utcnow()
    archive.expires_at = archive.ready_at + archives.KEEP_FOR
    db.session.commit()
    return archive.token


def _review_action(action, expect, data=None):
    return _post(lambda w: f"/moderation/reviews/{w.review.id}/{action}", expect, data)


ROUTES: dict[str, list[Case]] = {
    "static": [_get("/static/css/site.css", EVERYONE_200)],
    "main.home": [_get("/", EVERYONE_200)],  # signed in: the feed
    "main.feed_more": [_get("/feed?after=2026-01-01T00:00:00+00:00_9", SIGNED_IN_PAGE)],
    "main.healthz": [_get("/healthz", EVERYONE_200)],
    "main.htmx_js": [_get("/vendor/htmx.min.js", by_role(301, 301))],  # to the hashed asset
    "main.favicon": [_get("/favicon.ico", EVERYONE_200)],
    "main.share_image": [_get("/share.png", EVERYONE_200)],
    "auth.login": [
        _get("/login", EVERYONE_200),
        _post("/login", by_role(422, 422)),  # empty form: refused, whoever asks
    ],
    "auth.signup": [
        _get("/signup", by_role(200, 303)),  # signed-in readers are sent home
        _post("/signup", by_role(422, 303)),
    ],
    "auth.logout": [_post("/logout", by_role(303, 303))],
    "account.index": [_get("/account", SIGNED_IN_PAGE)],
    "account.change_email": [_post("/account/email", by_role(303, 422))],
    "account.change_password": [_post("/account/password", by_role(303, 422))],
    "account.end_other_sessions": [_post("/account/sessions", by_role(303, 303))],
    "account.delete": [_post("/account/delete", by_role(303, 422))],
    "account.notifications": [
        _post("/account/notifications", by_role(303, 303), lambda w: {"notify-digest": "daily"})
    ],
    "account.resend_confirmation": [_post("/account/confirm/resend", by_role(303, 303))],
    # Mailed links: the signed token is the authority, whoever follows it.
    "recovery.forgot_password": [
        _get("/password/forgot", EVERYONE_200),
        _post("/password/forgot", by_role(422, 422)),  # no address given
    ],
    "recovery.reset_password": [
        _get(lambda w: f"/password/reset/{_reset(w)}", EVERYONE_200),
        _post(lambda w: f"/password/reset/{_reset(w)}", by_role(422, 422)),  # no password
        _get("/password/reset/forged", by_role(410, 410)),
    ],
    "recovery.confirm_email": [
        _get(lambda w: f"/email/confirm/{_confirm(w)}", EVERYONE_200),
        _post(lambda w: f"/email/confirm/{_confirm(w)}", by_role(303, 303)),
    ],
    "mail.unsubscribe": [
        _get(lambda w: f"/unsubscribe/{_unsubscribe(w)}", EVERYONE_200),
        _post(lambda w: f"/unsubscribe/{_unsubscribe(w)}", by_role(303, 303)),
        _get("/unsubscribe/forged", by_role(404, 404)),
    ],
    # Only where mail goes to files (development and tests without MAIL_URL).
    "dev_mail.outbox": [_get("/dev/mail", EVERYONE_200)],
    "jobs.index": [_get("/moderation/jobs", STAFF_PAGE)],
    "jobs.retry": [
        _post(lambda w: f"/moderation/jobs/{_failure(w)}/retry", STAFF_ACTION),
        _post("/moderation/jobs/999999/retry", by_role(303, 403, 403, 404, 404)),
    ],
    "books.detail": [
        _get(lambda w: f"/books/{w.book.id}", by_role(301, 301)),
        _get(lambda w: f"/books/{w.book.id}-{w.book.slug}", EVERYONE_200),
    ],
    "books.cover": [_get(lambda w: f"/books/{w.book.id}/cover.svg", EVERYONE_200)],
    "books.share_image": [_get(lambda w: f"/books/{w.book.id}/share.png", EVERYONE_200)],
    # A reader may give a cover to a book without one; staff at any time (no file: 422).
    "books.upload_cover": [
        _post(lambda w: f"/books/{w.book.id}/cover", by_role(303, 303), _image),
        _post(lambda w: f"/books/{w.book.id}/cover", by_role(303, 422)),
    ],
    "books.remove_cover": [_post(lambda w: f"/books/{w.book.id}/cover/remove", STAFF_ACTION)],
    "account.avatar": [
        _post("/account/avatar", by_role(303, 303), lambda w: _image(w, "avatar-image")),
        _post("/account/avatar", by_role(303, 422)),
    ],
    "account.remove_avatar": [_post("/account/avatar/remove", by_role(303, 303))],
    "media.file": [
        _get("/media/covers/0123456789abcdef0123-m.jpg", by_role(404, 404)),
        _get("/media/elsewhere/0123456789abcdef0123-m.jpg", by_role(404, 404)),
    ],
    # Reporting: any signed-in reader but the author; staff may report too.
    "reports.review": [
        _get(lambda w: f"/reviews/{w.review.id}/report", by_role(303, 404, 403, 200, 200)),
        _post(
            lambda w: f"/reviews/{w.review.id}/report",
            by_role(303, 404, 403, 303, 303),  # the private author's review: unseen by reader
            lambda w: {"reason": "spam"},
        ),
    ],
    "reports.user": [
        _get("/u/author/report", by_role(303, 200, 403)),
        _post("/u/author/report", by_role(303, 303, 403), lambda w: {"reason": "abuse"}),
    ],
    "notices.index": [_get("/notifications", SIGNED_IN_PAGE)],
    "exports.library": [_get("/account/export/library.csv", SIGNED_IN_PAGE)],
    "exports.request_archive": [_post("/account/export/archive", by_role(303, 303))],
    "exports.archive": [_get(lambda w: f"/account/export/archive/{_archive(w)}.json", OWN_PAGE)],
    "imports.upload": [_get("/import", SIGNED_IN_PAGE), _post("/import", by_role(303, 422))],
    "imports.progress": [_get(lambda w: f"/import/{_import(w)}", OWN_PAGE)],
    "imports.report": [_get(lambda w: f"/import/{_import(w)}/report", OWN_PAGE)],
    "imports.problems": [_get(lambda w: f"/import/{_import(w)}/problems.csv", OWN_PAGE)],
    "imports.undo": [
        _post(lambda w: f"/import/{_import(w)}/undo", by_role(303, 404, 303, 404, 404))
    ],
    "notices.mark_read": [_post("/notifications/read", by_role(303, 303))],
    # Staff area.
    "moderation.queue": [
        _get("/moderation", STAFF_PAGE),
        _get("/moderation?status=resolved&reason=spam", STAFF_PAGE),
    ],
    "moderation.review_action": [
        _review_action("dismiss", STAFF_ACTION),
        _review_action("hide", STAFF_ACTION, lambda w: {"reason": "Rude"}),
        _review_action("spoiler", STAFF_ACTION),
        _review_action("restore", by_role(303, 403, 403, 303, 303)),
        _review_action("delete", ADMIN_ACTION),
    ],
    "moderation.bulk": [
        _post(
            "/moderation/bulk",
            STAFF_ACTION,
            lambda w: {"action": "dismiss", "review_ids": [w.review.id]},
        ),
        _post(
            "/moderation/bulk",
            ADMIN_ACTION,
            lambda w: {"action": "delete", "review_ids": [w.review.id]},
        ),
    ],
    "moderation.users": [_get("/moderation/users?q=a", STAFF_PAGE)],
    "moderation.user": [_get(lambda w: f"/moderation/users/{w.uid('author')}", STAFF_PAGE)],
    "moderation.suspend": [
        _post(
            lambda w: f"/moderation/users/{w.uid('target')}/suspend",
            STAFF_ACTION,
            lambda w: {"days": "3", "reason": "Spam"},
        ),
        # Moderators cannot suspend staff; admins can.
        _post(
            lambda w: f"/moderation/users/{w.uid('moderator')}/suspend",
            by_role(303, 403, 403, 403, 303),
            lambda w: {"days": "3", "reason": "Spam"},
        ),
    ],
    "moderation.unsuspend": [
        _post(lambda w: f"/moderation/users/{w.uid('suspended')}/unsuspend", STAFF_ACTION),
    ],
    "moderation.role": [
        _post(
            lambda w: f"/moderation/users/{w.uid('target')}/role",
            ADMIN_ACTION,
            lambda w: {"role": "moderator"},
        ),
    ],
    "moderation.dismiss_user_reports": [
        _post(lambda w: f"/moderation/users/{w.uid('author')}/dismiss", STAFF_ACTION),
    ],
    "moderation.edit_book": [
        _get(lambda w: f"/moderation/books/{w.book.id}/edit", STAFF_PAGE),
        _post(
            lambda w: f"/moderation/books/{w.book.id}/edit",
            STAFF_ACTION,
            lambda w: {"title": "Retitled", "authors": "A. Writer"},
        ),
    ],
    "moderation.merge_book": [
        _get(lambda w: f"/moderation/books/{w.other_book.id}/merge", STAFF_PAGE),
        _post(
            lambda w: f"/moderation/books/{w.other_book.id}/merge",
            STAFF_ACTION,
            lambda w: {"target_id": w.book.id},
        ),
    ],
    "moderation.log": [_get("/moderation/log?action=hide_review", STAFF_PAGE)],
    # Catalogue, book pages, reviews, shelves and profiles.
    "catalog.index": [
        _get("/books", EVERYONE_200),
        _get("/books?q=moderated&sort=top", EVERYONE_200),
    ],
    "catalog.new": [_get("/books/new", SIGNED_IN_PAGE), _post("/books/new", by_role(303, 422))],
    "catalog.author": [
        _get(lambda w: f"/authors/{w.book.authors[0].id}", by_role(301, 301)),
        _get(lambda w: f"/authors/{w.book.authors[0].id}-{w.book.authors[0].slug}", EVERYONE_200),
    ],
    "users.profile": [_get("/u/author", EVERYONE_200)],
    "books.shelf": [
        _post(
            lambda w: f"/books/{w.book.id}/shelf",
            by_role(303, 303),
            lambda w: {"status": "reading"},
        )
    ],
    "books.want": [_post(lambda w: f"/books/{w.book.id}/want", by_role(303, 303))],
    "reviews.more": [_get(lambda w: f"/books/{w.book.id}/reviews?sort=newest", EVERYONE_200)],
    "reviews.save": [
        _post(lambda w: f"/books/{w.book.id}/review", by_role(303, 303), lambda w: {"rating": "4"})
    ],
    "reviews.preview": [
        _post(
            lambda w: f"/books/{w.book.id}/review/preview",
            SIGNED_IN_PAGE,
            lambda w: {"body": "*Hi*"},
        )
    ],
    "reviews.show": [_get(lambda w: f"/reviews/{w.review.id}", PRIVATE_REVIEW)],
    # Only the author edits; the author or an admin deletes; never vote on one's own review.
    # The author is private: to a reader who is not an approved follower their review and
    # replies are not there (404); staff see them, so a moderator shows the 403s.
    "reviews.edit": [
        _get(lambda w: f"/reviews/{w.review.id}/edit", by_role(303, 404, 200, 403, 403))
    ],
    "reviews.delete": [
        _get(lambda w: f"/reviews/{w.review.id}/delete", by_role(303, 404, 200, 403, 200)),
        _post(lambda w: f"/reviews/{w.review.id}/delete", by_role(303, 404, 303, 403, 303)),
    ],
    # A reader's own record: reads, progress, goal, privacy, tags (others' rows are 404).
    "reads.add": [
        _post(lambda w: f"/books/{w.book.id}/reads", by_role(303, 303), lambda w: {"status": "dnf"})
    ],
    "reads.edit": [
        _get(lambda w: f"/reads/{w.ids['read']}/edit", OWN_PAGE),
        _post(
            lambda w: f"/reads/{w.ids['read']}/edit", OWN_ACTION, lambda w: {"status": "reading"}
        ),
    ],
    "reads.delete": [_post(lambda w: f"/reads/{w.ids['read']}/delete", OWN_ACTION)],
    "reads.progress": [
        _post(lambda w: f"/reads/{w.ids['read']}/progress", OWN_ACTION, lambda w: {"percent": "10"})
    ],
    "reads.goal": [
        _get("/goal", SIGNED_IN_PAGE),
        _post(
            "/goal", by_role(303, 303), lambda w: {"year": "2026", "kind": "books", "target": "5"}
        ),
    ],
    "reads.delete_goal": [_post("/goal/delete", by_role(303, 303), lambda w: {"year": "2026"})],
    "reads.privacy": [
        _post("/account/reading-privacy", by_role(303, 303), lambda w: {"reading_private": "y"})
    ],
    # Private notes, like tags, need the book on one's shelves: the author's is (422 for others).
    "books.private": [
        _post(
            lambda w: f"/books/{w.book.id}/private",
            by_role(303, 422, 303),
            lambda w: {"notes": "x", "owned_copies": "1"},
        )
    ],
    # Tagging needs the book on one's shelves: the author's is, the others' is not (422).
    "tags.for_book": [
        _post(lambda w: f"/books/{w.book.id}/tags", by_role(303, 422, 303), lambda w: {"tags": "x"})
    ],
    "tags.index": [_get("/u/author/tags", PRIVATE_PAGE)],
    "tags.show": [_get(lambda w: f"/u/author/tags/{w.ids['tags'][0]}", PRIVATE_PAGE)],
    "tags.rename": [
        _post(lambda w: f"/tags/{w.ids['tags'][0]}/rename", OWN_ACTION, lambda w: {"name": "Canon"})
    ],
    "tags.merge": [
        _post(
            lambda w: f"/tags/{w.ids['tags'][0]}/merge",
            OWN_ACTION,
            lambda w: {"target_id": w.ids["tags"][1]},
        )
    ],
    "tags.delete": [_post(lambda w: f"/tags/{w.ids['tags'][0]}/delete", OWN_ACTION)],
    # Stats and the year in books: public unless the reader keeps their reading private.
    "stats.index": [_get("/u/author/stats?year=2025", PRIVATE_PAGE)],
    "stats.year": [_get("/u/author/year/2025", PRIVATE_PAGE)],
    "reviews.helpful": [
        _post(lambda w: f"/reviews/{w.review.id}/helpful", by_role(303, 404, 403, 303, 303))
    ],
    # Following, blocking, muting: anyone signed in, never oneself; staff are never blockable.
    "social.follow": [_post("/u/author/follow", NOT_ONESELF)],
    "social.unfollow": [_post("/u/author/unfollow", NOT_ONESELF)],
    "social.mute": [_post("/u/author/mute", NOT_ONESELF)],
    "social.unmute": [_post("/u/author/unmute", NOT_ONESELF)],
    "social.block": [
        _post("/u/author/block", NOT_ONESELF),
        _post("/u/mod/block", by_role(303, 403, 403, 403, 403)),
    ],
    "social.unblock": [_post("/u/author/unblock", NOT_ONESELF)],
    "social.followers": [_get("/u/author/followers", EVERYONE_200)],
    "social.following": [_get("/u/author/following", EVERYONE_200)],
    "social.requests": [_get("/follow-requests", SIGNED_IN_PAGE)],
    # Only the private reader asked (author: ``target`` is waiting) can answer.
    "social.approve": [_post("/follow-requests/target/approve", by_role(303, 404, 303))],
    "social.decline": [_post("/follow-requests/target/decline", by_role(303, 404, 303))],
    "account.privacy": [_post("/account/privacy", by_role(303, 303))],
    "account.change_bio": [_post("/account/bio", by_role(303, 303), lambda w: {"bio-bio": "Hi."})],
    # Lists: public to read; only their maker adds, moves or removes books.
    "lists.new": [
        _get("/lists/new", SIGNED_IN_PAGE),
        _post("/lists/new", by_role(303, 303), lambda w: {"title": "Mine"}),
    ],
    "lists.show": [_get(lambda w: f"/lists/{w.ids['list']}", PRIVATE_PAGE)],
    "lists.add": [
        _post(
            lambda w: f"/books/{w.book.id}/lists",
            by_role(303, 403, 303, 403, 403),
            lambda w: {"list_id": w.ids["list"]},
        )
    ],
    "lists.change": [
        _post(
            lambda w, a=a: f"/lists/{w.ids['list']}/books/{w.book.id}/{a}",
            by_role(303, 403, 303, 403, 403),
        )
        for a in ("up", "down", "remove")
    ],
    "lists.place": [
        _post(
            lambda w: f"/lists/{w.ids['list']}/books/{w.book.id}/place",
            by_role(303, 403, 303, 403, 403),
            lambda w: {"position": "1"},
        )
    ],
    "lists.note": [
        _post(
            lambda w: f"/lists/{w.ids['list']}/books/{w.book.id}/note",
            by_role(303, 403, 303, 403, 403),
            lambda w: {"note": "Still good"},
        )
    ],
    "lists.edit": [
        _get(lambda w: f"/lists/{w.ids['list']}/edit", by_role(303, 403, 200, 403, 403)),
        _post(
            lambda w: f"/lists/{w.ids['list']}/edit",
            by_role(303, 403, 303, 403, 403),
            lambda w: {"title": "Renamed"},
        ),
    ],
    "lists.delete": [
        _get(lambda w: f"/lists/{w.ids['list']}/delete", by_role(303, 403, 200, 403, 403)),
        _post(lambda w: f"/lists/{w.ids['list']}/delete", by_role(303, 403, 303, 403, 403)),
    ],
    "lists.of_reader": [_get("/u/author/lists", PRIVATE_PAGE)],
    # Replies: anyone signed in replies; only the author edits or deletes; never report one's own.
    "replies.create": [
        _post(
            lambda w: f"/reviews/{w.review.id}/replies",
            by_role(303, 404, 303, 303, 303),  # the private author's review: unseen by reader
            lambda w: {"body": "Hi"},
        )
    ],
    "replies.edit": [
        _get(lambda w: f"/replies/{w.reply.id}/edit", by_role(303, 404, 200, 403, 403)),
        _post(
            lambda w: f"/replies/{w.reply.id}/edit",
            by_role(303, 404, 303, 403, 403),
            lambda w: {"body": "Yo"},
        ),
    ],
    "replies.delete": [
        _get(lambda w: f"/replies/{w.reply.id}/delete", by_role(303, 404, 200, 403, 403)),
        _post(lambda w: f"/replies/{w.reply.id}/delete", by_role(303, 404, 303, 403, 403)),
    ],
    "replies.report": [
        _get(lambda w: f"/replies/{w.reply.id}/report", by_role(303, 404, 403, 200, 200)),
        _post(
            lambda w: f"/replies/{w.reply.id}/report",
            by_role(303, 404, 403, 303, 303),
            lambda w: {"reason": "spam"},
        ),
    ],
    "moderation.reply_action": [
        _post(
            lambda w: f"/moderation/replies/{w.reply.id}/hide",
            STAFF_ACTION,
            lambda w: {"reason": "No"},
        ),
        # the row's reply is visible: staff get 422, "That reply is not hidden."
        _post(
            lambda w: f"/moderation/replies/{w.reply.id}/restore", by_role(303, 403, 403, 422, 422)
        ),
        _post(lambda w: f"/moderation/replies/{w.reply.id}/dismiss", STAFF_ACTION),
    ],
}


def _rules() -> list[tuple[str, str]]:
    """(endpoint, method) for every rule of the app, read at collection time."""
    app = create_app(config_for("sqlite://"))
    pairs = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - IGNORED_METHODS
    }
    return sorted(pairs)


RULES = _rules()


@pytest.fixture(scope="module")
def matrix_rows(shared_world, shared_app) -> dict[str, int]:
    """Beyond the shared world: a suspended reader, a reporting ``target``, a second book.

    The author's review is reported; the author is reported; ``target``'s review of the second
    book is hidden; the author is private and ``target`` asked to follow them. ("restore" needs
    the author's review hidden: done only for those rows.)
    """
    with shared_app().app_context():
        world = World.load(shared_world)
        users = UserFactory()
        suspended, target = users("suspended"), users("target")
        other = moderation_book("A Duplicate Book")
        reports.report_review(target, world.review, "spam")
        reports.report_user(target, world.author, "abuse")
        moderation.hide(world.admin, moderation_review(target, other), "Checking")
        staff.suspend(world.admin, suspended, 5, "Spam")
        follows.set_private(world.author, True)
        follows.follow(target, world.author)  # waits for the author's approval
        # The author is reading the book and has tagged it twice.
        shelves.set_status(world.author, world.book, "reading")
        read = reads.reads_of(world.author, world.book)[0]  # the one in progress comes first
        tags.set_for_book(world.author, world.book, "classics, favourites")
        ids = {"suspended": suspended.id, "target": target.id, "other_book": other.id}
        ids |= {"read": read.id, "tags": [t.id for t, _ in tags.tags_of(world.author)]}
        picks = lists.create(world.author, "Author's picks")
        lists.add(world.author, picks, world.book)
        ids["list"] = picks.id
        ids["reply"] = replies.post(world.author, world.review, "A reply by the author.").id
        db.session.remove()
    return ids


@pytest.fixture
def matrix(shared_world, matrix_rows, shared_app, transaction):
    """The matrix rows, read in the test's app context (the app runs without rate limits)."""
    app = shared_app(RATELIMIT_ENABLED=False)
    with app.app_context():
        world = World.load(shared_world)
        people = {
            "reader": world.reader,
            "author": world.author,
            "moderator": world.mod,
            "admin": world.admin,
            "suspended": db.session.get(User, matrix_rows["suspended"]),
            "target": db.session.get(User, matrix_rows["target"]),
        }
        other = db.session.get(Book, matrix_rows["other_book"])
        mine = {
            "read": matrix_rows["read"],
            "tags": matrix_rows["tags"],
            "list": matrix_rows["list"],
        }
        reply = db.session.get(Reply, matrix_rows["reply"])
        yield app, Matrix(people, world.book, other, world.review, mine, reply)
        db.session.remove()


def signed_in_as(app, user, csrf: tuple[str, str]):
    """A client whose session is ``user``'s (None: anonymous), with a CSRF token already read."""
    client = app.test_client()
    if user is not None:
        login_sessions.open_session(user, timedelta(days=1))
    with client.session_transaction() as session:
        session["csrf_token"] = csrf[0]
        if user is not None:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    client.csrf = csrf
    return client


def test_every_endpoint_has_a_rule():
    missing = sorted({endpoint for endpoint, _ in RULES} - set(ROUTES))
    assert missing == [], f"add permission rows to ROUTES for: {missing}"


@pytest.mark.parametrize(("endpoint", "method"), RULES, ids=[f"{e}:{m}" for e, m in RULES])
def test_route_permissions(matrix, transaction, endpoint, method):
    cases = [c for c in ROUTES.get(endpoint, []) if c.method == method]
    assert cases, f"no {method} row for endpoint {endpoint!r} in ROUTES"
    app, rows = matrix
    first = Browserless(app.test_client())
    first.token()  # one page read for the CSRF token that every client below reuses
    csrf = first.client.csrf

    failures = []
    for case in cases:
        for role in ROLES:
            with transaction.rolled_back():
                if "/restore" in case.url(rows):
                    moderation.hide(rows.users["admin"], rows.review, "Checking")
                url, data = case.url(rows), case.data(rows)
                user = None if role == "anonymous" else rows.users[role]
                client = signed_in_as(app, user, csrf)
                if method == "POST":
                    response = Browserless(client).post(url, data)
                else:
                    response = client.get(url)
                response.close()  # static files stream from an open file
                if response.status_code != case.expect[role]:
                    failures.append(
                        f"{method} {url} as {role}: {response.status_code}, "
                        f"expected {case.expect[role]}"
                    )
    assert failures == []
