"""``flask doctor`` on real databases: a good production configuration and bad ones."""

from __future__ import annotations

import secrets
import subprocess

import pytest

from tests.conftest import REDIS_TEST_URL, config_for, require
from webapp import create_app
from webapp.doctor import FAIL, OK, WARN, check_secret, run_checks, secret_bits

STRONG_SECRET = secrets.token_hex(32)


def redis_reachable() -> bool:
    try:
        result = subprocess.run(  # noqa: S603
            ["redis-cli", "-h", "127.0.0.1", "ping"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=3,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.stdout.strip() == "PONG"


def production(make_app, **overrides):
    site = {
        "SITE_URL": "https://books.example.org",
        "TRUSTED_HOSTS": ["books.example.org"],
        "MAIL_URL": "smtps://colophon:s3cret@smtp.example.org",
    }
    return make_app(COLOPHON_ENV="production", SECRET_KEY=STRONG_SECRET, **{**site, **overrides})


@pytest.fixture
def standalone():
    """Production apps on databases the ``make_app`` clean-up cannot empty; disposed after."""
    from webapp.extensions import db

    apps = []

    def factory(url, **overrides):
        app = create_app(
            config_for(url, COLOPHON_ENV="production", SECRET_KEY=STRONG_SECRET, **overrides)
        )
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def doctor(app):
    result = app.test_cli_runner().invoke(args=["doctor"])
    statuses = {}
    for line in result.output.splitlines():
        status, _, rest = line.partition("  ")
        if status.strip() in {OK, WARN, FAIL}:
            name = rest.strip().split("  ")[0]
            statuses[name] = status.strip()
    return result, statuses


def test_good_production_configuration_passes(make_app, database_url, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    result, statuses = doctor(production(make_app))
    assert result.exit_code == 0, result.output
    assert statuses["mode"] == statuses["secret key"] == statuses["database"] == OK
    assert statuses["https redirect"] == statuses["secure cookies"] == OK
    assert statuses["site url"] == statuses["trusted hosts"] == OK
    assert statuses["rate limits"] == WARN  # memory:// is only right for a single worker
    assert statuses.get("sqlite") == (WARN if database_url.startswith("sqlite") else None)
    assert "migrations at head" in result.output
    assert statuses["mail"] == OK and "smtps to smtp.example.org:465" in result.output
    assert statuses["redis"] == WARN and statuses["task queue"] == OK


def test_production_without_mail_fails_and_says_so(make_app, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    app = production(make_app, MAIL_URL=None)
    result, statuses = doctor(app)
    assert result.exit_code == 1 and statuses["mail"] == FAIL
    page = app.test_client().get("/password/forgot", base_url="https://books.example.org")
    assert b"This site cannot send email" in page.data


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("smtp://user:pw@smtp.example.org:25", "with a password"),
        ("http://smtp.example.org", "must look like"),
    ],
)
def test_bad_mail_url_fails(make_app, monkeypatch, url, detail):
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    result, statuses = doctor(production(make_app, MAIL_URL=url))
    assert statuses["mail"] == FAIL and detail in result.output


def test_redis_is_reported(make_app, monkeypatch):
    require(redis_reachable(), "Redis at 127.0.0.1:6379 is unreachable")
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    result, statuses = doctor(production(make_app, REDIS_URL=REDIS_TEST_URL))
    assert statuses["redis"] == OK
    result, statuses = doctor(production(make_app, REDIS_URL="redis://127.0.0.1:1/0"))
    assert statuses["redis"] == FAIL and "unreachable" in result.output


def test_shared_rate_limit_storage_with_several_workers(make_app, database_url, monkeypatch):
    require(redis_reachable(), "Redis at 127.0.0.1:6379 is unreachable")
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    app = production(make_app, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15")
    result, statuses = doctor(app)
    assert result.exit_code == 0, result.output
    assert statuses["rate limits"] == OK and "4 workers" in result.output


def test_bad_configuration_fails(make_app, database_url, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    app = make_app(
        COLOPHON_ENV="production",
        SECRET_KEY="changeme",
        SESSION_COOKIE_SECURE=False,
        FORCE_HTTPS=False,
    )
    result, statuses = doctor(app)
    assert result.exit_code == 1
    assert statuses["secret key"] == FAIL
    assert statuses["secure cookies"] == FAIL and "SESSION_COOKIE_SECURE" in result.output
    assert statuses["https redirect"] == WARN
    assert statuses["rate limits"] == FAIL and "3 workers" in result.output
    assert statuses["site url"] == FAIL and "SITE_URL is not set" in result.output
    assert statuses["trusted hosts"] == FAIL and "any Host header" in result.output
    assert statuses["database"] == OK


def test_site_url_outside_trusted_hosts_fails(make_app, database_url):
    app = production(make_app, TRUSTED_HOSTS=["other.example.org"])
    with app.app_context():
        checks = {c.name: c for c in run_checks(app)}
    assert checks["trusted hosts"].status == FAIL
    assert "books.example.org is not in" in checks["trusted hosts"].detail


def test_unmigrated_database_fails(standalone, empty_database):
    result, statuses = doctor(standalone(empty_database))
    assert result.exit_code == 1
    assert statuses["database"] == FAIL and "not migrated" in result.output


def test_unreachable_database_fails(standalone):
    app = standalone(
        "postgresql+psycopg://postgres@127.0.0.1:1/none",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}},
    )
    result, statuses = doctor(app)
    assert result.exit_code == 1
    assert statuses["database"] == FAIL and "unreachable" in result.output


def test_unreachable_rate_limit_storage_fails(standalone, database_url):
    app = standalone(database_url, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    with app.app_context():
        statuses = {c.name: c.status for c in run_checks(app)}
    assert statuses["rate limits"] == FAIL


def test_forced_https_without_proxy_hops_warns_of_a_redirect_loop(make_app, database_url):
    app = production(make_app, PROXY_FIX_HOPS=0)
    with app.app_context():
        checks = {c.name: c for c in run_checks(app)}
    assert checks["https redirect"].status == WARN
    assert "redirected forever" in checks["https redirect"].detail


class _App:
    def __init__(self, secret):
        self.config = {"SECRET_KEY": secret}


@pytest.mark.parametrize(
    "secret",
    [
        "",
        "changeme",
        "change-me-in-production-please-0123456789",
        "test-secret-not-for-production",
        "short-but-random-Zq8",
        "x" * 64,
        "abc" * 30,
        "your-secret-key-here-abcdefghijklmnopqrstuvwxyz",
    ],
)
def test_weak_secrets_fail(secret):
    assert check_secret(_App(secret)).status == FAIL


@pytest.mark.parametrize(
    "secret",
    [secrets.token_hex(32), secrets.token_urlsafe(32), secrets.token_hex(16)],
    ids=["hex32", "urlsafe32", "hex16"],
)
def test_generated_secrets_pass(secret):
    assert check_secret(_App(secret)).status == OK
    assert secret_bits(secret) >= 100


def test_local_media_on_a_paas_warns_that_the_disk_is_ephemeral(make_app, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    for var in ("DYNO", "RENDER", "FLY_APP_NAME", "RAILWAY_ENVIRONMENT", "K_SERVICE"):
        monkeypatch.delenv(var, raising=False)
    app = production(make_app)
    result, statuses = doctor(app)
    assert statuses["media storage"] == OK and "local disk" in result.output
    monkeypatch.setenv("DYNO", "web.1")
    result, statuses = doctor(app)
    assert statuses["media storage"] == WARN
    assert "on Heroku, whose disk is wiped" in result.output and "MEDIA_S3_BUCKET" in result.output


def test_s3_media_storage_is_checked(make_app, monkeypatch, s3_endpoint):
    import boto3

    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    monkeypatch.setenv("DYNO", "web.1")
    settings = {
        "MEDIA_S3_ENDPOINT_URL": s3_endpoint,
        "MEDIA_S3_ACCESS_KEY_ID": "test",
        "MEDIA_S3_SECRET_ACCESS_KEY": "test",
    }
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket="doctor-media")
    result, statuses = doctor(production(make_app, MEDIA_S3_BUCKET="doctor-media", **settings))
    assert statuses["media storage"] == OK and "S3 bucket doctor-media" in result.output
    result, statuses = doctor(production(make_app, MEDIA_S3_BUCKET="missing-bucket", **settings))
    assert statuses["media storage"] == FAIL and result.exit_code == 1
