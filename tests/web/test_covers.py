"""Covers: fetched by the worker from the cover source (a local HTTP server here), stored on
disk or in S3 (moto's server), served by the site itself; uploads by readers and staff."""

from __future__ import annotations

import io
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import update
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import Browserless
from tests.factories import UserFactory, isbn13_for, make_book
from tests.mailbox import run_jobs
from tests.media_parts import claimed_png, jpeg, png, webp
from webapp import images
from webapp.extensions import db
from webapp.models import AuditEntry, Book, utcnow
from webapp.remote import FetchError, Limits, fetch_image, origin
from webapp.services import covers

MEDIA_SRC = re.compile(r'src="(/media/covers/[0-9a-f]{20}-([ms])\.jpg)"')


@pytest.fixture
def fetching(make_app, cover_source, tmp_path):
    """An app that fetches covers from the local source into its own media folder."""
    app = make_app(
        COVER_FETCH=True,
        COVER_SOURCE_URL=cover_source.template,
        COVER_FETCH_TIMEOUT=1.0,
        MEDIA_DIR=str(tmp_path / "media"),
    )
    with app.app_context():
        yield app


def pending(app) -> int:
    return app.extensions["huey"].pending_count()


def test_a_book_added_with_an_isbn_gets_its_cover_from_the_worker(fetching, cover_source):
    isbn = isbn13_for(9001)
    cover_source.images[isbn] = jpeg(800, 1200, exif=True)
    web = Browserless(fetching.test_client())
    UserFactory()("reader")
    web.post("/login", {"login": "reader", "password": UserFactory.password})
    form = {"title": "Fetched", "authors": "A. Writer", "isbn": isbn}
    assert web.post("/books/new", form).status_code == 303
    assert cover_source.hits == []  # nothing fetched inside the request …
    assert pending(fetching) == 1  # … only queued
    book = db.session.query(Book).filter_by(isbn13=isbn).one()
    assert covers.wants_fetch(book)

    run_jobs(fetching)
    db.session.refresh(book)
    assert book.cover_key and book.cover_checked_at
    assert cover_source.hits == [f"/b/isbn/{isbn}-L.jpg?default=false"]

    html = web.client.get(f"/books/{book.id}-fetched").get_data(as_text=True)
    assert pending(fetching) == 0  # a book with a cover asks for nothing
    src = MEDIA_SRC.search(html).group(1)
    assert src == f"/media/covers/{book.cover_key}-m.jpg"
    assert f'<meta property="og:image" content="http://localhost{src}">' in html
    served = web.client.get(src)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    image = Image.open(io.BytesIO(served.data))
    assert image.size == (400, 600) and not image.getexif()
    listing = web.client.get("/books?q=fetched").get_data(as_text=True)
    assert f"/media/covers/{book.cover_key}-s.jpg" in listing
    assert web.client.get(src, headers={"If-None-Match": served.headers["ETag"]}).status_code == 304


def test_first_view_queues_a_fetch_and_never_fetches_in_the_request(fetching, cover_source):
    fetching.config["COVER_FETCH"] = False
    book = make_book("Viewed First", isbn=isbn13_for(9002))  # added while fetching was off
    fetching.config["COVER_FETCH"] = True
    cover_source.images[book.isbn13] = png(300, 450)
    client = fetching.test_client()
    html = client.get(f"/books/{book.id}-viewed-first").get_data(as_text=True)
    assert f'src="/books/{book.id}/cover.svg"' in html  # the placeholder until the worker ran
    assert cover_source.hits == [] and pending(fetching) == 1
    run_jobs(fetching)
    html = client.get(f"/books/{book.id}-viewed-first").get_data(as_text=True)
    assert MEDIA_SRC.search(html) and pending(fetching) == 0


def test_no_cover_at_the_source_is_looked_for_once(fetching, cover_source):
    book = make_book("Coverless", isbn=isbn13_for(9003))
    run_jobs(fetching)
    db.session.refresh(book)
    assert book.cover_key is None and book.cover_checked_at is not None
    html = fetching.test_client().get(f"/books/{book.id}-coverless").get_data(as_text=True)
    assert f'src="/books/{book.id}/cover.svg"' in html  # the generated SVG stays the fallback
    assert pending(fetching) == 0 and len(cover_source.hits) == 1


def test_a_cover_is_queued_once_however_often_it_is_asked_for(fetching, cover_source):
    """First views by several visitors, an add and a view, the sweep twice: one job per book,
    until the worker has run it."""
    fetching.config["COVER_FETCH"] = False
    viewed = make_book("Viewed Twice", isbn=isbn13_for(9004))
    linked = make_book("Swept Twice", isbn=None, cover_url=cover_source.url("/cover.jpg"))
    fetching.config["COVER_FETCH"] = True
    for _ in range(3):
        fetching.test_client().get(f"/books/{viewed.id}-viewed-twice")
    assert pending(fetching) == 1
    added = make_book("Added Then Viewed", isbn=isbn13_for(9005))
    fetching.test_client().get(f"/books/{added.id}-added-then-viewed")
    assert pending(fetching) == 2
    covers.queue_legacy_fetches()
    covers.queue_legacy_fetches()
    assert pending(fetching) == 3
    cover_source.images[viewed.isbn13] = png(300, 450)
    run_jobs(fetching)
    assert all(db.session.get(Book, b.id).cover_key for b in (viewed, linked))
    assert len(cover_source.hits) == 3  # one look per book


@pytest.mark.committed
def test_visitors_viewing_a_book_at_once_queue_one_look(fetching, cover_source):
    fetching.config["COVER_FETCH"] = False
    url = f"/books/{make_book('Viewed At Once', isbn=isbn13_for(9006)).id}-viewed-at-once"
    fetching.config["COVER_FETCH"] = True
    start = threading.Barrier(6)

    def view(_):
        client = fetching.test_client()
        start.wait()
        return client.get(url).status_code

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(view, range(6))) == [200] * 6
    assert pending(fetching) == 1


def test_a_fetch_that_failed_every_retry_is_queued_again_later(fetching, cover_source):
    book = make_book("Down", isbn=None, cover_url=cover_source.url("/error"))
    fetching.test_client().get(f"/books/{book.id}-down")
    huey = fetching.extensions["huey"]
    now = huey._get_timestamp()
    for minutes in (0, 2, 4, 8, 16):  # the first try and its three retries (1, 2, 4 minutes)
        run_jobs(fetching, now=now + timedelta(minutes=minutes))
    assert len(cover_source.hits) == 4 and pending(fetching) == 0
    assert db.session.get(Book, book.id).cover_checked_at is None  # still wanted
    fetching.test_client().get(f"/books/{book.id}-down")
    assert pending(fetching) == 0  # not at once: the source was failing a moment ago
    db.session.execute(
        update(Book)
        .where(Book.id == book.id)
        .values(cover_queued_at=utcnow() - covers.REQUEUE_AFTER - timedelta(seconds=1))
    )
    db.session.commit()
    fetching.test_client().get(f"/books/{book.id}-down")
    assert pending(fetching) == 1


def limits(source, **given) -> Limits:
    return Limits(**{"timeout": 1.0, "trusted": frozenset({origin(source.base)}), **given})


@pytest.mark.parametrize(
    ("path", "message", "lasting"),
    [
        ("/html", "not an image: text/html", True),
        ("/huge", "52428800 bytes", True),
        ("/endless", "over 5242880 bytes", True),
        ("/slow", "too slow", False),
        ("/error", "answered 503", False),
        ("/missing", "no image there", True),
        ("/hop/4", "more than 3 redirects", True),
        ("/to-private", "not a public address", True),
    ],
)
def test_the_fetcher_keeps_its_limits(cover_source, path, message, lasting):
    started = time.monotonic()
    with pytest.raises(FetchError, match=message) as caught:
        fetch_image(cover_source.url(path), limits(cover_source, max_bytes=images.MAX_BYTES))
    assert caught.value.lasting is lasting
    assert time.monotonic() - started < 3  # the one-second budget holds, give or take


def test_the_fetcher_follows_three_redirects(cover_source):
    assert (
        fetch_image(cover_source.url("/hop/3"), limits(cover_source))
        == cover_source.images["plain"]
    )


def test_addresses_from_readers_must_be_public_https(cover_source):
    untrusted = Limits(timeout=1.0)
    with pytest.raises(FetchError, match="only https"):
        fetch_image(cover_source.url("/cover.jpg"), untrusted)
    for url in ("https://127.0.0.1:9/x.jpg", "https://10.1.2.3/x.jpg", "https://[::1]/x.jpg"):
        with pytest.raises(FetchError, match="not a public address"):
            fetch_image(url, untrusted)
    assert cover_source.hits == []


@pytest.mark.parametrize("path", ["/html", "/fake.jpg", "/huge"])
def test_a_bad_answer_leaves_the_placeholder_and_is_not_retried(fetching, cover_source, path):
    book = make_book("Bad Answer", isbn=None, cover_url=cover_source.url(path))
    covers.fetch(book.id)
    db.session.refresh(book)
    assert book.cover_key is None and book.cover_checked_at is not None


def test_a_slow_source_is_retried_later(fetching, cover_source):
    book = make_book("Slow", isbn=None, cover_url=cover_source.url("/slow"))
    with pytest.raises(FetchError, match="too slow"):
        covers.fetch(book.id)
    db.session.rollback()
    assert db.session.get(Book, book.id).cover_checked_at is None  # still wanted


def test_old_cover_links_are_fetched_into_storage_by_the_sweep(fetching, cover_source):
    """Migration 0013 leaves old links in cover_url; the periodic job queues them."""
    fetching.config["COVER_FETCH"] = False
    linked = make_book("Linked", isbn=None, cover_url=cover_source.url("/cover.jpg"))
    fetching.config["COVER_FETCH"] = True
    huey = fetching.extensions["huey"]
    huey.enqueue(huey.colophon_tasks["queue_cover_fetches"].s())
    run_jobs(fetching)  # the sweep queues fetch_cover …
    run_jobs(fetching)  # … which stores the image
    db.session.refresh(linked)
    assert linked.cover_key == images.digest(cover_source.images["plain"])
    html = fetching.test_client().get(f"/books/{linked.id}-linked").get_data(as_text=True)
    assert "127.0.0.1" not in html and MEDIA_SRC.search(html)


def test_s3_storage_is_served_through_the_site(make_app, cover_source, s3_endpoint):
    import boto3

    bucket = f"covers-{time.monotonic_ns()}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106
    )
    s3.create_bucket(Bucket=bucket)
    app = make_app(
        MEDIA_S3_BUCKET=bucket,
        MEDIA_S3_ENDPOINT_URL=s3_endpoint,
        MEDIA_S3_PREFIX="site",
        MEDIA_S3_ACCESS_KEY_ID="test",
        MEDIA_S3_SECRET_ACCESS_KEY="test",  # noqa: S106
    )
    with app.app_context():
        staff = UserFactory()("staffer", role="moderator")
        book = make_book("In the Bucket", isbn=None)
        covers.upload(staff, book, webp(600, 900))
        keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
        assert keys == [
            f"site/covers/{book.cover_key}-m.jpg",
            f"site/covers/{book.cover_key}-s.jpg",
        ]
        client = app.test_client()
        html = client.get(f"/books/{book.id}-in-the-bucket").get_data(as_text=True)
        src = MEDIA_SRC.search(html).group(1)
        assert s3_endpoint not in html and "amazonaws" not in html
        served = client.get(src)
        stored = s3.get_object(Bucket=bucket, Key=f"site/{src.removeprefix('/media/')}")
        assert served.status_code == 200 and served.data == stored["Body"].read()
        assert client.get(src.replace("-m.", "-x.")).status_code == 404


def test_media_storage_down_is_a_503_not_a_500(make_app):
    app = make_app(MEDIA_S3_BUCKET="nowhere", MEDIA_S3_ENDPOINT_URL="http://127.0.0.1:9")
    with app.app_context():
        response = app.test_client().get("/media/covers/0123456789abcdef0123-m.jpg")
        assert response.status_code == 503


# --- uploads ----------------------------------------------------------------------------------


def upload(web, book, data, name="cover.jpg", htmx=False):
    page = f"/books/{book.id}-{book.slug}"
    form = {"image": (io.BytesIO(data), name)}
    return web.post(f"/books/{book.id}/cover", form, htmx=htmx, page=page)


def post_large(web, url: str, fields: dict):
    """A multipart POST built in memory: the test client would spool a big body to a temporary
    file that nothing closes (a ResourceWarning, which this suite treats as an error)."""
    files = {k: FileStorage(stream, filename=name) for k, (stream, name) in fields.items()}
    boundary, body = encode_multipart({**files, "csrf_token": web.token()})
    content_type = f"multipart/form-data; boundary={boundary}"
    return web.client.post(url, data=body, content_type=content_type)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_reader_gives_a_cover_to_a_book_without_one(app, web, auth, world, htmx):
    auth.login("reader")
    book = world.book
    response = upload(web, book, png(500, 750), name="not-really.gif", htmx=htmx)  # bytes decide
    db.session.refresh(book)
    assert book.cover_key == images.digest(png(500, 750))
    if htmx:
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html
        assert html.lstrip().startswith('<div id="book-cover"') and MEDIA_SRC.search(html)
        assert "Cover saved." in html and response.headers["Vary"].count("HX-Request")
    else:
        assert response.status_code == 303 and response.headers["Location"].endswith(book.slug)
    # Now it has one: another reader may not replace it (and is not offered the form).
    auth.logout()
    auth.login("author")
    assert upload(web, book, jpeg()).status_code == 403
    page = web.client.get(f"/books/{book.id}-{book.slug}").get_data(as_text=True)
    assert 'id="cover-form"' not in page


def test_staff_replace_and_remove_a_cover_and_the_log_says_so(app, web, auth, world):
    book = world.book
    auth.login("mod")
    assert upload(web, book, jpeg(color=(1, 2, 3))).status_code == 303
    first = db.session.get(Book, book.id).cover_key
    assert upload(web, book, jpeg(color=(200, 2, 3))).status_code == 303
    db.session.refresh(book)
    assert book.cover_key not in (None, first)
    assert web.post(f"/books/{book.id}/cover/remove").status_code == 303
    db.session.refresh(book)
    assert book.cover_key is None and not covers.wants_fetch(book)  # not fetched back
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-3:] == ["change_cover", "change_cover", "remove_cover"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 a document", "That is not a JPEG, PNG or WebP image."),
        (claimed_png(8000, 8000), "8000 × 8000 pixels"),
        (jpeg()[:300], "could not be read"),
        (b"\xff\xd8" + b"\0" * (images.MAX_BYTES + 10), "keep it under 5 MB"),
        (None, "Choose an image of the cover."),
    ],
    ids=["pdf", "bomb", "truncated", "too-big", "no-file"],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_bad_uploads_get_a_422_with_the_reason_beside_the_field(
    app, web, auth, world, data, message, htmx
):
    auth.login("reader")
    book = world.book
    page = f"/books/{book.id}-{book.slug}"
    form = {} if data is None else {"image": (io.BytesIO(data), "cover.jpg")}
    if data and len(data) > images.MAX_BYTES:
        response = post_large(web, f"/books/{book.id}/cover", form)
        if htmx:
            return  # the plain path covers it; htmx sends the same body
    else:
        response = web.post(f"/books/{book.id}/cover", form, htmx=htmx, page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ("<html" in html) is not htmx
    error = re.search(r'<p class="field-error" id="image-error">([^<]*)</p>', html)
    assert error and message in error.group(1).replace("&#39;", "'")
    assert 'aria-describedby="image-hint image-error"' in html
    assert db.session.get(Book, book.id).cover_key is None


def test_a_body_past_the_upload_limit_is_refused_before_reading(app, web, auth, world):
    auth.login("reader")
    big = b"\0" * (images.MAX_BYTES + 128 * 1024)
    form = {"image": (io.BytesIO(big), "cover.jpg")}
    assert post_large(web, f"/books/{world.book.id}/cover", form).status_code == 413
