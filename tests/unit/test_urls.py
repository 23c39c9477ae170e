"""webapp/urls.py: ``url_for`` from its memo answers as Flask's own does, whatever the request."""

from __future__ import annotations

import pytest
from flask import Flask, url_for

from webapp import urls

CALLS = [
    ("main.home", {}),
    ("books.detail", {"book_id": 7, "slug": "emma"}),
    ("books.detail", {"book_id": 7, "slug": "emma", "sort": "newest", "_anchor": "reviews"}),
    ("books.detail", {"slug": "emma", "book_id": 7, "sort": "newest"}),  # the other order
    ("auth.login", {"next": "/books/7-emma?sort=newest"}),
    ("auth.login", {"next": "/bøøks/ü"}),
    ("catalog.author", {"author_id": 3, "slug": "jane-austen"}),
    ("main.home", {"page": 1}),
    ("main.home", {"page": True}),  # not the entry for 1: plain ints and strings only
    ("main.home", {"page": "1"}),
    ("main.home", {"tag": ["a", "b"]}),  # not keyed: Flask each time
    ("main.home", {"_external": True}),
    ("main.home", {"_external": True, "_scheme": "https"}),
    ("main.home", {"x": None}),
]
REQUESTS = [
    ("/books", {}),
    ("/books", {"base_url": "http://localhost/sub"}),  # a script root
    ("/books", {"base_url": "https://other.localhost"}),  # another host and scheme
]


def built(app, memo: bool) -> list[str]:
    seen = []
    for path, options in REQUESTS:
        with app.test_request_context(path, **options):
            for endpoint, values in CALLS * 2:  # the second round from the memo
                url = (
                    app.url_for(endpoint, **values)
                    if memo
                    else Flask.url_for(app, endpoint, **values)
                )
                seen.append(url)
                assert url_for(endpoint, **values) == url  # flask.url_for goes through it
    return seen


def test_urls_from_the_memo_are_the_ones_flask_builds(app):
    assert isinstance(app, urls.ColophonFlask)
    app.url_memo.clear()
    assert built(app, memo=True) == built(app, memo=False)
    seen = built(app, memo=True)
    assert "/sub/books/7-emma" in seen and "http://localhost/sub/" in seen
    assert "https://other.localhost/" in seen and "/?page=True" in seen
    kept = dict(app.url_memo)
    built(app, memo=True)
    # Ten keys a request: x=None is main.home itself; a list, True and _external are not kept.
    assert app.url_memo == kept and len(kept) == 3 * 10


def test_relative_endpoints_and_build_errors_are_not_kept(app):
    app.url_memo.clear()
    with app.test_request_context("/books"):
        assert url_for(".index") == url_for("catalog.index")
        with pytest.raises(Exception, match="Could not build"):
            url_for("catalog.author", slug="no-id")
    assert {key[4] for key in app.url_memo} == {"catalog.index"}


def test_the_memo_is_bounded(app, monkeypatch):
    monkeypatch.setattr(urls, "MEMO_SIZE", 3)
    app.url_memo.clear()
    with app.test_request_context("/"):
        for n in range(10):
            assert url_for("books.detail", book_id=n, slug="b") == f"/books/{n}-b"
            assert len(app.url_memo) <= 3
