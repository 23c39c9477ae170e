"""Book covers: stored images (fetched by the worker or uploaded), and the generated SVG
placeholder every book without one shows.

A cover is looked for once per book, by the worker: when the book is added (imports too) and
when its page is first viewed, a ``fetch_cover`` job is queued — never a fetch inside the
request — by whichever request claims it first (``cover_queued_at``), so many first views,
an add and a view, or two sweeps queue one job; a claim an hour old may be taken again (the
job failed every retry or was lost with its worker). The job tries the book's old cover link
(``cover_url``, from before covers were stored here), then ``COVER_SOURCE_URL`` by ISBN
(Open Library Covers by default), keeps the first image that passes ``webapp.images`` and
records that it looked (``cover_checked_at``), found or not. Staff may upload or remove a
cover at any time; a reader may give one to a book that has none.
"""

from __future__ import annotations

import hashlib
import logging
import textwrap
from datetime import timedelta
from xml.sax.saxutils import escape

from flask import current_app, url_for
from sqlalchemy import or_, select, update

from webapp import images, media, og_images, permissions
from webapp.errors import NotAllowed, ValidationError
from webapp.extensions import db
from webapp.models import Book, User, utcnow
from webapp.remote import FetchError, Limits, fetch_image, origin
from webapp.services.audit import audit
from webapp.tasks import enqueue

log = logging.getLogger(__name__)

# A book page shows "m" (up to 400 × 600), lists and cards "s" (up to 160 × 240).
SIZES = (images.Size("m", 400, 600), images.Size("s", 160, 240))
SWEEP_BATCH = 50
# How long a queued look holds its claim: well past a failing job's retries (about 8 minutes).
REQUEUE_AFTER = timedelta(hours=1)

# Dark backgrounds with light text, each pair above 7:1 contrast.
PALETTE = ["#7a2e1d", "#1d4e7a", "#2e5e3a", "#5b2e7a", "#6b4a12", "#243b4a", "#7a1d4e"]


def store(kind: str, data: bytes, sizes: tuple[images.Size, ...]) -> str:
    """Validate, re-encode and store ``data`` at every size; the key its files are named by.

    Raises ImageError. Storing the same image twice writes the same files (same key).
    """
    key = images.digest(data)
    for rendition in images.renditions(data, sizes):
        media.store().put(f"{kind}/{key}-{rendition.size}.jpg", rendition.data)
    return key


def media_url(kind: str, key: str, size: str) -> str:
    return url_for("media.file", kind=kind, name=f"{key}-{size}.jpg")


def cover_src(book: Book, size: str = "m") -> str:
    """The address of the book's cover on this site: the stored image, else the SVG."""
    if book.cover_key:
        return media_url("covers", book.cover_key, size)
    return url_for("books.cover", book_id=book.id)


def share_card(book: Book) -> tuple[str, str, str, str]:
    """What a book's generated share image draws: title, byline, placeholder colour, and the
    language (which of the Chinese, Japanese or Korean forms of a Han character to draw)."""
    byline = f"by {book.author_names}" if book.authors else ""
    return book.title, byline, placeholder_colour(book), book.language or ""


def share_src(book: Book) -> str:
    """The book's ``og:image`` on this site: its stored cover, else the generated PNG card
    (its URL versioned by what it draws). Never the SVG: social sites do not render it."""
    if book.cover_key:
        return media_url("covers", book.cover_key, "m")
    version = og_images.book_card_version(*share_card(book))
    return url_for("books.share_image", book_id=book.id, v=version)


# --- fetching by the worker -------------------------------------------------------------------


def source_url(book: Book) -> str | None:
    template = current_app.config.get("COVER_SOURCE_URL")
    if not template or not book.isbn13:
        return None
    return template.replace("{isbn}", book.isbn13)


def wants_fetch(book: Book) -> bool:
    """No cover, never looked for, and somewhere to look."""
    if not current_app.config.get("COVER_FETCH") or book.cover_key or book.cover_checked_at:
        return False
    return bool(book.cover_url or source_url(book))


def request_fetch(book: Book) -> None:
    """Queue the worker to look for ``book``'s cover, if it still needs one and no look is
    queued already (one write, on a book's first view only)."""
    if wants_fetch(book) and not _claimed(book):
        _queue(_claim([book.id]))


def _claimed(book: Book) -> bool:
    return book.cover_queued_at is not None and book.cover_queued_at > utcnow() - REQUEUE_AFTER


def _claim(book_ids: list[int]) -> list[int]:
    """Mark the books whose look is not queued as queued now, in one UPDATE; the ones marked.

    Two requests racing for a book both run it: PostgreSQL's row lock (SQLite's single
    writer) makes the second re-check the condition, find the mark and match nothing.
    """
    if not book_ids:
        return []
    now = utcnow()
    claimed = db.session.scalars(
        update(Book)
        .where(
            Book.id.in_(book_ids),
            Book.cover_key.is_(None),
            Book.cover_checked_at.is_(None),
            or_(Book.cover_queued_at.is_(None), Book.cover_queued_at < now - REQUEUE_AFTER),
        )
        .values(cover_queued_at=now)
        .returning(Book.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(claimed)


def _queue(book_ids: list[int]) -> int:
    """Queue the claimed books' jobs; a claim whose job the queue refused is let go again."""
    refused = [book_id for book_id in book_ids if not enqueue("fetch_cover", book_id)]
    if refused:
        db.session.execute(
            update(Book).where(Book.id.in_(refused)).values(cover_queued_at=None),
            execution_options={"synchronize_session": False},
        )
        db.session.commit()
    return len(book_ids) - len(refused)


def _limits() -> Limits:
    template = current_app.config.get("COVER_SOURCE_URL")
    return Limits(
        timeout=current_app.config["COVER_FETCH_TIMEOUT"],
        max_bytes=images.MAX_BYTES,
        trusted=frozenset({origin(template)} if template else ()),
    )


def fetch(book_id: int) -> str | None:
    """The ``fetch_cover`` job: look for the book's cover once; the stored key, or None.

    A source that answers "no such image" or a bad image is passed over; a timeout or a
    server error on the last source raises, so the job is tried again later.
    """
    book = db.session.get(Book, book_id)
    if book is None or not wants_fetch(book):
        return None
    retry: FetchError | None = None
    key = None
    for url in filter(None, (book.cover_url, source_url(book))):
        try:
            key = store("covers", fetch_image(url, _limits()), SIZES)
        except FetchError as error:
            log.info("cover for book %s from %s: %s", book.id, url[:120], error)
            retry = None if error.lasting else error
            continue
        except images.ImageError as error:
            log.info("cover for book %s from %s refused: %s", book.id, url[:120], error)
            retry = None
            continue
        break
    if key is None and retry is not None:
        raise retry
    db.session.refresh(book)  # a cover uploaded meanwhile wins
    if book.cover_key is None:
        book.cover_key = key
    book.cover_checked_at = utcnow()
    db.session.commit()
    return key


def queue_legacy_fetches() -> int:
    """Queue a batch of books whose old cover link was never fetched (migration 0017) and
    whose look is not queued already, so each sweep takes the next batch."""
    if not current_app.config.get("COVER_FETCH"):
        return 0
    stale = utcnow() - REQUEUE_AFTER
    ids = db.session.scalars(
        select(Book.id)
        .where(
            Book.cover_url.is_not(None),
            Book.cover_key.is_(None),
            Book.cover_checked_at.is_(None),
            or_(Book.cover_queued_at.is_(None), Book.cover_queued_at < stale),
        )
        .order_by(Book.id)
        .limit(SWEEP_BATCH)
    ).all()
    return _queue(_claim(list(ids)))


# --- uploads and staff changes ----------------------------------------------------------------


def upload(actor: User, book: Book, data: bytes) -> None:
    """Give ``book`` the uploaded cover. Raises NotAllowed, or ValidationError on ``image``."""
    if not permissions.can_upload_cover(actor, book):
        raise NotAllowed("This book has a cover already; staff can replace it.")
    try:
        key = store("covers", data, SIZES)
    except images.ImageError as error:
        raise ValidationError("image", str(error)) from None
    before = book.cover_key
    book.cover_key, book.cover_checked_at = key, utcnow()
    if permissions.can_moderate(actor):
        audit(
            actor, "change_cover", "book", book.id, before={"cover": before}, after={"cover": key}
        )
    db.session.commit()


def remove(actor: User, book: Book) -> None:
    """Staff take a cover down (the SVG shows again; the worker does not fetch it back)."""
    if not permissions.can_moderate(actor):
        raise NotAllowed("Only moderators can do that.")
    if book.cover_key is None:
        return
    audit(actor, "remove_cover", "book", book.id, before={"cover": book.cover_key})
    book.cover_key, book.cover_checked_at = None, utcnow()
    db.session.commit()


# --- the generated placeholder ----------------------------------------------------------------


def placeholder_colour(book) -> str:
    digest = int(hashlib.sha256(f"{book.id}:{book.title}".encode()).hexdigest(), 16)
    return PALETTE[digest % len(PALETTE)]


def placeholder_svg(book) -> str:
    background = placeholder_colour(book)
    lines = textwrap.wrap(book.title, width=14)[:5]
    author = book.authors[0].name if book.authors else ""
    title_lines = "".join(
        f'<tspan x="100" dy="{0 if i == 0 else 26}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 300" role="img" '
        f'aria-label="{escape(book.title, {chr(34): "&quot;"})}">'
        f'<rect width="200" height="300" fill="{background}"/>'
        '<rect x="12" y="12" width="176" height="276" fill="none" stroke="#fdf6e9" '
        'stroke-opacity=".5"/>'
        '<text x="100" y="96" text-anchor="middle" fill="#fdf6e9" '
        'font-family="Georgia, serif" font-size="22" font-weight="bold">'
        f"{title_lines}</text>"
        '<text x="100" y="262" text-anchor="middle" fill="#fdf6e9" '
        f'font-family="Georgia, serif" font-size="14">{escape(author[:28])}</text>'
        "</svg>"
    )
