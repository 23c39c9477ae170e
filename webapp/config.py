"""Settings read from the environment (twelve-factor).

Three modes, chosen by ``COLOPHON_ENV``: ``production`` (the default, so gunicorn on a PaaS is
safe without extra flags), ``development`` (``make run``) and ``testing`` (the test suite).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dotenv import load_dotenv

from webapp.hosts import SiteUrlError, parse_hosts, parse_site_url, site_host

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

# A local .env is for development only; the real environment always wins.
load_dotenv(ROOT / ".env", override=False)


# Where the site runs when SITE_URL is not set (production has no default: flask doctor says so).
DEFAULT_COVER_SOURCE = "https://covers.openlibrary.org/b/isbn/{isbn}-L.jpg?default=false"
DEFAULT_SITE_URL = {"development": "http://localhost:5000", "testing": "http://localhost"}


# scrypt with N=2^10 instead of 2^15: a sign-up or sign-in costs ~1 ms instead of ~150 ms.
# A stored hash names its own parameters, so checking one never depends on this setting.
TEST_HASH_METHOD = "scrypt:1024:8:1"


class ConfigError(RuntimeError):
    """The environment cannot produce a safe configuration."""


def normalise_database_url(url: str) -> str:
    """Accept PaaS-style ``postgres://`` URLs and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def default_database_url() -> str:
    return f"sqlite:///{INSTANCE / 'colophon.db'}"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def gunicorn_threads() -> int:
    """Threads per gunicorn worker (``GUNICORN_THREADS``); also the database pool size."""
    return max(1, _int("GUNICORN_THREADS", 2))


def web_concurrency() -> int:
    """gunicorn workers: ``WEB_CONCURRENCY`` (set by most PaaS), else 2 per usable CPU + 1, ≤ 8."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, _int("WEB_CONCURRENCY", min((cpus or 1) * 2 + 1, 8)))


def storage_options(uri: str) -> dict:
    """Redis must answer fast or be treated as down: a hung limiter would hang every request."""
    if uri.startswith(("redis://", "rediss://", "redis+")):
        return {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
    return {}


def load_config(mode: str | None = None, secret_key: str | None = None) -> dict:
    """Build the settings dict for ``mode`` (defaults to ``$COLOPHON_ENV`` or production).

    ``secret_key`` (given by ``create_app``'s overrides) stands in for ``$SECRET_KEY``.
    """
    mode = (mode or os.environ.get("COLOPHON_ENV") or "production").lower()
    if mode not in {"production", "development", "testing"}:
        raise ConfigError(f"COLOPHON_ENV must be production, development or testing, not {mode!r}")
    production = mode == "production"

    secret = secret_key or os.environ.get("SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError(
                "SECRET_KEY is not set. Production needs a long random SECRET_KEY in the "
                "environment, e.g. python -c 'import secrets; print(secrets.token_hex(32))'."
            )
        secret = secrets.token_hex(32)  # throwaway: sessions end with the process

    site_url = os.environ.get("SITE_URL") or DEFAULT_SITE_URL.get(mode)
    if site_url:
        try:
            site_url = parse_site_url(site_url)
        except SiteUrlError as exc:
            raise ConfigError(str(exc)) from None
    # Production answers only for its own hosts; elsewhere (dev, tests) any Host is fine.
    trusted_hosts = parse_hosts(os.environ.get("TRUSTED_HOSTS"))
    if trusted_hosts is None and production and site_url:
        trusted_hosts = [site_host(site_url)]

    database_url = normalise_database_url(os.environ.get("DATABASE_URL") or default_database_url())
    # The one Redis setting: the task queue and the rate limiter use it unless told otherwise.
    redis_url = os.environ.get("REDIS_URL") or None
    # One connection per worker thread, a little overflow, and a ping after idle periods.
    engine_options: dict = {
        "pool_pre_ping": True,
        "pool_size": _int("DB_POOL_SIZE", gunicorn_threads()),
        "max_overflow": _int("DB_MAX_OVERFLOW", 2),
    }
    if database_url.startswith("sqlite"):
        engine_options = {}  # WAL mode is set per connection (webapp/engine.py)

    return {
        "COLOPHON_ENV": mode,
        "TESTING": mode == "testing",
        "SECRET_KEY": secret,
        # Request bodies past this get 413 with the site's error page (default 1 MB).
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 1024 * 1024),
        # The origin of absolute links (canonical, og:, feeds, mails); never the Host header.
        "SITE_URL": site_url,
        "TRUSTED_HOSTS": trusted_hosts,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "SQLALCHEMY_RECORD_QUERIES": _bool("SQLALCHEMY_RECORD_QUERIES", False),
        # How new password hashes are made: werkzeug's scrypt default (~0.15 s each, the point);
        # the test suite's own sign-ups and password changes use a small work factor instead.
        "PASSWORD_HASH_METHOD": TEST_HASH_METHOD if mode == "testing" else "scrypt",
        # Cookies: Secure in production (served over HTTPS behind the proxy).
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_NAME": "remember_token",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 30,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # CSRF tokens live as long as the session: a review written slowly must still post.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": production,
        "REDIS_URL": redis_url,
        # Visitors' pages answered before Flask (webapp/page_cache.py): "memory" (per process),
        # "redis" (shared, the default with REDIS_URL) or "off"; bounded to PAGE_CACHE_MB.
        "PAGE_CACHE": os.environ.get("PAGE_CACHE")
        or ("off" if mode == "testing" else "redis" if redis_url else "memory"),
        "PAGE_CACHE_MB": _int("PAGE_CACHE_MB", 64),
        # Signed-in readers' book pages, each kept for its reader (webapp/reader_cache.py), in
        # the page cache's store kind; 0 (or PAGE_CACHE=off): off.
        "READER_CACHE_MB": _int("READER_CACHE_MB", 16),
        # Visitors' review cards kept rendered per process (webapp/card_cache.py); 0: off.
        "CARD_CACHE_MB": _int("CARD_CACHE_MB", 8),
        # How long a CDN may serve a visitor's page without asking (s-maxage); 0: it asks
        # every time (a cheap 304), so no visitor ever sees a page older than the last write.
        "CDN_MAX_AGE": _int("CDN_MAX_AGE", 0),
        # Rate limits: Redis when REDIS_URL is set (or any limits URI), else in-memory.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI")
        or redis_url
        or "memory://",
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Storage down: count in this process's memory (logged, shown in /healthz), never a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "LOGIN_LIMIT_PER_IP": os.environ.get("LOGIN_LIMIT_PER_IP", "20 per minute;200 per hour"),
        # Failed sign-ins (webapp/throttle.py): per address, per account, per both.
        "LOGIN_FAILURES_PER_IP": os.environ.get("LOGIN_FAILURES_PER_IP", "10 per 15 minutes"),
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per 15 minutes"),
        "LOGIN_FAILURES_PER_ACCOUNT_IP": os.environ.get(
            "LOGIN_FAILURES_PER_ACCOUNT_IP", "3 per 15 minutes"
        ),
        "LOGIN_SLOWDOWN_SECONDS": float(os.environ.get("LOGIN_SLOWDOWN_SECONDS", "0.5")),
        "SIGNUP_LIMIT_PER_IP": os.environ.get("SIGNUP_LIMIT_PER_IP", "10 per hour"),
        "POST_LIMIT_PER_USER": os.environ.get("POST_LIMIT_PER_USER", "60 per hour"),
        # Following is cheap to spam (each one notifies someone): its own, tighter limit.
        "FOLLOW_LIMIT_PER_USER": os.environ.get("FOLLOW_LIMIT_PER_USER", "30 per hour"),
        # Each reply notifies the whole thread: its own limit too.
        "REPLY_LIMIT_PER_USER": os.environ.get("REPLY_LIMIT_PER_USER", "20 per hour"),
        "PROXY_FIX_HOPS": _int("PROXY_FIX_HOPS", 1 if production else 0),
        "FORCE_HTTPS": _bool("FORCE_HTTPS", production),
        # Background jobs (webapp/tasks.py): Redis with REDIS_URL, else a SQLite file in
        # instance/; tests use huey's in-memory queue and run the jobs themselves.
        "TASK_QUEUE": os.environ.get("TASK_QUEUE")
        or ("redis" if redis_url else "memory" if mode == "testing" else "sqlite"),
        "TASK_QUEUE_FILE": os.environ.get("TASK_QUEUE_FILE") or str(INSTANCE / "tasks.db"),
        # Mail (webapp/mailer.py): smtp://user:pass@host:587?starttls=1 or smtps://…; unset
        # outside production, messages are written to MAIL_DIR (listed at /dev/mail).
        "MAIL_URL": os.environ.get("MAIL_URL") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Colophon <colophon@localhost>"),
        "MAIL_DIR": os.environ.get("MAIL_DIR") or str(INSTANCE / "mail"),
        # May readers who have not confirmed their address post reviews and reports?
        "UNVERIFIED_CAN_POST": _bool("UNVERIFIED_CAN_POST", not production),
        "RESET_LIMIT_PER_IP": os.environ.get("RESET_LIMIT_PER_IP", "10 per hour"),
        "RESET_LIMIT_PER_ADDRESS": os.environ.get("RESET_LIMIT_PER_ADDRESS", "3 per hour"),
        # Distinct readers' open reports that hide a review until a moderator looks at it.
        "MODERATION_AUTO_HIDE": _int("MODERATION_AUTO_HIDE", 3),
        # … counting only established readers: accounts this old, with this many ratings.
        "MODERATION_REPORTER_MIN_DAYS": _int("MODERATION_REPORTER_MIN_DAYS", 7),
        "MODERATION_REPORTER_MIN_RATINGS": _int("MODERATION_REPORTER_MIN_RATINGS", 3),
        # Covers and avatars (webapp/media.py): a folder, or an S3-compatible bucket when
        # MEDIA_S3_BUCKET is set; served by the site itself either way.
        "MEDIA_DIR": os.environ.get("MEDIA_DIR") or str(INSTANCE / "media"),
        "MEDIA_S3_BUCKET": os.environ.get("MEDIA_S3_BUCKET") or None,
        "MEDIA_S3_ENDPOINT_URL": os.environ.get("MEDIA_S3_ENDPOINT_URL") or None,
        "MEDIA_S3_REGION": os.environ.get("MEDIA_S3_REGION") or None,
        "MEDIA_S3_PREFIX": os.environ.get("MEDIA_S3_PREFIX") or "",
        "MEDIA_S3_ACCESS_KEY_ID": os.environ.get("MEDIA_S3_ACCESS_KEY_ID") or None,
        "MEDIA_S3_SECRET_ACCESS_KEY": os.environ.get("MEDIA_S3_SECRET_ACCESS_KEY") or None,
        # Where the worker looks for a book's cover by ISBN ({isbn} is the ISBN-13); empty: never.
        "COVER_SOURCE_URL": os.environ.get("COVER_SOURCE_URL", DEFAULT_COVER_SOURCE),
        # Fetch covers at all (tests switch it on where they serve the source themselves).
        "COVER_FETCH": _bool("COVER_FETCH", mode != "testing"),
        "COVER_FETCH_TIMEOUT": float(os.environ.get("COVER_FETCH_TIMEOUT", "10")),
    }
