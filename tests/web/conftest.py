"""Fixtures shared by the web tests of the page caches."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import require

REDIS_URL = "redis://127.0.0.1:6379/4"  # the page caches' own Redis database


@pytest.fixture
def cached_app(shared_app, transaction):
    """An app with the page cache and the readers' cache in memory, both emptied."""
    app = shared_app(PAGE_CACHE="memory")
    app.extensions["page_cache"].clear()
    app.extensions["reader_cache"].clear()
    with app.app_context():
        yield app


def redis_available() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
        return True
    except Exception:
        return False


@pytest.fixture
def redis_apps(make_app):
    """Two workers' apps sharing one Redis for their page caches (a prefix of their own)."""
    require(redis_available(), f"Redis at {REDIS_URL} is not answering")
    prefix = f"test-page:{uuid.uuid4().hex}:"
    config = {"PAGE_CACHE": "redis", "PAGE_CACHE_REDIS_URL": REDIS_URL}
    apps = [make_app(**config, PAGE_CACHE_PREFIX=prefix) for _ in range(2)]
    yield apps
    apps[0].extensions["page_cache"].clear()  # the readers' keys share its prefix
