"""``flask --app webapp doctor``: is this configuration fit for production?

Each check returns OK, WARN or FAIL with a one-line reason; the command exits non-zero when
any check fails, so a release phase or a deploy script can stop on it.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import text

from webapp.config import web_concurrency
from webapp.engine import is_sqlite_file
from webapp.extensions import db
from webapp.hosts import site_host

OK, WARN, FAIL = "OK", "WARN", "FAIL"

MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 100
MIN_SECRET_DISTINCT = 10
PLACEHOLDER = re.compile(
    r"change.?me|change.?this|not.?for.?production|placeholder|example|your.?secret|"
    r"^(secret|dev|development|test|testing|default|password|supersecret|s3cr3t|key)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Check:
    status: str
    name: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<4}  {self.name:<18} {self.detail}"


def secret_bits(secret: str) -> float:
    """Shannon estimate of the secret's entropy: length × bits per character seen."""
    counts = Counter(secret)
    per_char = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    return per_char * len(secret)


def check_mode(app: Flask) -> Check:
    mode = app.config["COLOPHON_ENV"]
    if mode == "production":
        return Check(OK, "mode", "production")
    return Check(WARN, "mode", f"COLOPHON_ENV={mode}; these checks are meant for production")


KEY_RECIPE = "python -c 'import secrets; print(secrets.token_hex(32))'"


def check_secret(app: Flask) -> Check:
    secret = str(app.config.get("SECRET_KEY") or "")
    if not secret:
        return Check(FAIL, "secret key", "SECRET_KEY is empty")
    if PLACEHOLDER.search(secret):
        return Check(FAIL, "secret key", "SECRET_KEY is a placeholder; generate a random one")
    bits = secret_bits(secret)
    strength = f"{len(secret)} characters, ~{bits:.0f} bits"
    strong = (
        len(secret) >= MIN_SECRET_LENGTH
        and len(set(secret)) >= MIN_SECRET_DISTINCT
        and bits >= MIN_SECRET_BITS
    )
    if strong:
        return Check(OK, "secret key", strength)
    return Check(FAIL, "secret key", f"too weak ({strength}); use e.g. {KEY_RECIPE}")


def check_database(app: Flask) -> Check:
    """Reachable, and the Alembic revision stamped in it is the migrations' head."""
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:  # any driver error means "unreachable"
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return Check(FAIL, "database", f"unreachable: {type(exc).__name__}: {first_line}")
    config = app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    where = db.engine.url.render_as_string(hide_password=True)
    if current != heads:
        return Check(
            FAIL,
            "database",
            f"not migrated: at {sorted(current) or 'empty'}, head is {sorted(heads)}; "
            "run flask --app webapp db upgrade",
        )
    return Check(OK, "database", f"{where} reachable, migrations at head {sorted(heads)}")


def check_https_redirect(app: Flask) -> Check:
    if not app.config.get("FORCE_HTTPS"):
        return Check(WARN, "https redirect", "FORCE_HTTPS is off: plain HTTP is served as is")
    if not app.config.get("PROXY_FIX_HOPS"):
        return Check(
            WARN,
            "https redirect",
            "FORCE_HTTPS without PROXY_FIX_HOPS: behind a TLS proxy every request looks like "
            "HTTP and is redirected forever",
        )
    return Check(OK, "https redirect", f"on; trusting {app.config['PROXY_FIX_HOPS']} proxy hop(s)")


def check_cookies(app: Flask) -> Check:
    insecure = [
        name
        for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE")
        if not app.config.get(name)
    ]
    if insecure:
        return Check(FAIL, "secure cookies", f"{', '.join(insecure)} off: sessions leak over HTTP")
    return Check(OK, "secure cookies", "session and remember-me cookies are Secure, HttpOnly")


def check_rate_limits(app: Flask) -> Check:
    """Counters must be shared by every worker, or each one allows the full limit."""
    uri = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    if not app.config.get("RATELIMIT_ENABLED", True):
        return Check(WARN, "rate limits", "RATELIMIT_ENABLED is off")
    workers = web_concurrency()
    if uri.startswith("memory://"):
        if workers > 1:
            return Check(
                FAIL,
                "rate limits",
                f"memory:// with {workers} workers: each keeps its own counters; set "
                "RATELIMIT_STORAGE_URI to Redis",
            )
        return Check(WARN, "rate limits", "memory:// is only right for one worker on one instance")
    from limits.storage import storage_from_string

    try:
        reachable = storage_from_string(uri).check()
    except Exception as exc:  # unknown scheme, missing driver, bad URI
        return Check(FAIL, "rate limits", f"{type(exc).__name__}: {exc}")
    scheme = uri.split(":", 1)[0]
    if not reachable:
        return Check(FAIL, "rate limits", f"{scheme} storage does not answer")
    return Check(OK, "rate limits", f"shared {scheme} storage answers ({workers} workers)")


def check_site_url(app: Flask) -> Check:
    site = app.config.get("SITE_URL")
    if not site:
        return Check(
            FAIL,
            "site url",
            "SITE_URL is not set: pages carry no canonical or og: links and mails no links; "
            "set it to the public origin, e.g. https://books.example.org",
        )
    if not site.startswith("https://") and app.config["COLOPHON_ENV"] == "production":
        return Check(WARN, "site url", f"{site} is not HTTPS")
    return Check(OK, "site url", f"absolute links use {site}")


def check_trusted_hosts(app: Flask) -> Check:
    """The Host header is the client's to choose unless the app refuses unknown ones."""
    hosts = app.config.get("TRUSTED_HOSTS")
    if not hosts:
        return Check(FAIL, "trusted hosts", "TRUSTED_HOSTS is not set: any Host header is answered")
    own = site_host(app.config.get("SITE_URL"))
    if own and not any(own == h or (h.startswith(".") and own.endswith(h)) for h in hosts):
        return Check(FAIL, "trusted hosts", f"SITE_URL's host {own} is not in {hosts}")
    return Check(OK, "trusted hosts", f"answers only {', '.join(hosts)}")


def check_sqlite(app: Flask) -> Check | None:
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return None
    if not is_sqlite_file(engine):
        return Check(FAIL, "sqlite", "an in-memory database loses everything on restart")
    try:
        with engine.connect() as conn:
            mode = conn.execute(text("PRAGMA journal_mode")).scalar()
    except Exception as exc:  # reported by the database check too
        return Check(FAIL, "sqlite", f"cannot open: {type(exc).__name__}")
    return Check(
        WARN,
        "sqlite",
        f"journal_mode={mode}; fine on one machine with a persistent disk, not on a PaaS "
        "(ephemeral filesystem, several instances): use PostgreSQL there",
    )


def check_mail(app: Flask) -> Check:
    from webapp.mailer import MailError, parse_mail_url

    url = app.config.get("MAIL_URL")
    if not url:
        if app.config["COLOPHON_ENV"] == "production":
            return Check(
                FAIL,
                "mail",
                "MAIL_URL is not set: no reset or confirmation mail can be sent; set e.g. "
                "smtp://user:pass@smtp.example.org:587?starttls=1",
            )
        return Check(
            WARN, "mail", f"MAIL_URL not set: messages are written to {app.config['MAIL_DIR']}"
        )
    try:
        smtp = parse_mail_url(url)
    except MailError as exc:
        return Check(FAIL, "mail", str(exc))
    how = "smtps" if smtp.tls else "starttls" if smtp.starttls else "plain smtp"
    if not (smtp.tls or smtp.starttls) and smtp.username:
        return Check(FAIL, "mail", f"{how} with a password: add ?starttls=1 or use smtps://")
    return Check(OK, "mail", f"{how} to {smtp.host}:{smtp.port}, from {app.config['MAIL_FROM']}")


def check_redis(app: Flask) -> Check:
    from webapp.tasks import redis_check

    answers, detail = redis_check(app.config.get("REDIS_URL"))
    if answers is None:
        status = WARN if app.config["COLOPHON_ENV"] == "production" else OK
        return Check(
            status,
            "redis",
            "REDIS_URL not set: the queue is a SQLite file in instance/, so the web and worker "
            "processes must share one machine's disk",
        )
    return Check(OK if answers else FAIL, "redis", detail)


def check_queue(app: Flask) -> Check:
    from webapp.tasks import queue_check

    answers, detail = queue_check(app)
    return Check(OK if answers else FAIL, "task queue", detail)


# Environment variables a platform with an ephemeral disk sets in every dyno/instance.
PAAS_MARKERS = {
    "DYNO": "Heroku",
    "RENDER": "Render",
    "FLY_APP_NAME": "Fly.io",
    "RAILWAY_ENVIRONMENT": "Railway",
    "K_SERVICE": "Cloud Run",
    "PLATFORM_APPLICATION_NAME": "Platform.sh",
    "SCALINGO_APP": "Scalingo",
}


def paas_name() -> str | None:
    return next((name for var, name in PAAS_MARKERS.items() if os.environ.get(var)), None)


def check_media(app: Flask) -> Check:
    """Uploaded and fetched images must outlive a deploy: a PaaS disk does not."""
    store = app.extensions["media"]
    if store.kind == "s3":
        try:
            store.check()
        except Exception as exc:  # any client error: unreachable, no bucket, no rights
            return Check(FAIL, "media storage", f"{store.describe()}: {type(exc).__name__}")
        return Check(OK, "media storage", f"{store.describe()} answers")
    platform = paas_name()
    if platform and app.config["COLOPHON_ENV"] == "production":
        return Check(
            WARN,
            "media storage",
            f"{store.describe()} on {platform}, whose disk is wiped on every deploy and "
            "restart: covers and avatars would be lost; set MEDIA_S3_BUCKET (and "
            "MEDIA_S3_ENDPOINT_URL for a non-AWS store)",
        )
    return Check(OK, "media storage", f"{store.describe()}; keep it on a persistent disk")


CHECKS: list[Callable[[Flask], Check | None]] = [
    check_mode,
    check_secret,
    check_database,
    check_https_redirect,
    check_cookies,
    check_site_url,
    check_trusted_hosts,
    check_rate_limits,
    check_mail,
    check_redis,
    check_queue,
    check_sqlite,
    check_media,
]


def run_checks(app: Flask) -> list[Check]:
    return [result for check in CHECKS if (result := check(app)) is not None]
