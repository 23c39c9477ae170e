"""Twelve-factor settings: modes, the secret rule, database URL forms."""

from __future__ import annotations

import pytest

from webapp import create_app
from webapp.config import ConfigError, load_config, normalise_database_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/app", "postgresql+psycopg://u:p@db:5432/app"),
        ("postgresql://u:p@db/app", "postgresql+psycopg://u:p@db/app"),
        ("postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url_forms(given, expected):
    assert normalise_database_url(given) == expected


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("COLOPHON_ENV", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config()
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_development_gets_a_throwaway_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config("development")["SECRET_KEY"]
    assert len(first) >= 32 and first != load_config("development")["SECRET_KEY"]


def test_production_reads_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("DATABASE_URL", "postgres://app@db.internal/colophon")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    config = load_config("production")
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db.internal/colophon"
    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_default_database_is_the_instance_sqlite_file(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    uri = load_config("development")["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///") and uri.endswith("/instance/colophon.db")


def test_unknown_mode_is_refused():
    with pytest.raises(ConfigError, match="COLOPHON_ENV"):
        load_config("staging")


def test_pool_is_sized_for_worker_threads(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app@db.internal/colophon")
    monkeypatch.delenv("DB_POOL_SIZE", raising=False)
    monkeypatch.setenv("GUNICORN_THREADS", "6")
    options = load_config("development")["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_size"] == 6 and options["pool_pre_ping"] is True
    monkeypatch.setenv("DB_POOL_SIZE", "3")
    assert load_config("development")["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 3


def test_web_concurrency(monkeypatch):
    from webapp.config import web_concurrency

    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert web_concurrency() == 3
    monkeypatch.delenv("WEB_CONCURRENCY")
    assert 1 <= web_concurrency() <= 8


def test_production_app_takes_the_secret_from_the_config_dict(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app(
        {
            "COLOPHON_ENV": "production",
            "SECRET_KEY": "k" * 64,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}",
        }
    )
    assert app.config["SECRET_KEY"] == "k" * 64
    assert app.config["FORCE_HTTPS"] and app.config["PROXY_FIX_HOPS"] == 1


def test_sqlite_file_databases_use_wal(tmp_path):
    from sqlalchemy import text

    from webapp.extensions import db

    app = create_app(
        {"COLOPHON_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'w.db'}"}
    )
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        db.engine.dispose()


def test_redis_url_is_the_one_redis_setting(monkeypatch):
    for name in ("REDIS_URL", "RATELIMIT_STORAGE_URI", "TASK_QUEUE", "UNVERIFIED_CAN_POST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    plain = load_config("production")
    assert (plain["REDIS_URL"], plain["RATELIMIT_STORAGE_URI"]) == (None, "memory://")
    assert plain["TASK_QUEUE"] == "sqlite" and plain["TASK_QUEUE_FILE"].endswith(
        "instance/tasks.db"
    )
    assert plain["UNVERIFIED_CAN_POST"] is False
    assert load_config("development")["UNVERIFIED_CAN_POST"] is True
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    config = load_config("production")
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/0"
    assert config["TASK_QUEUE"] == "redis"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memcached://cache.internal:11211")
    assert load_config("production")["RATELIMIT_STORAGE_URI"] == "memcached://cache.internal:11211"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://relay.internal", ("relay.internal", 25, False, False, None, None)),
        (
            "smtp://me%40x.org:p%3Ass@smtp.x.org?starttls=1",
            ("smtp.x.org", 587, False, True, "me@x.org", "p:ss"),
        ),
        ("smtps://u:p@smtp.x.org", ("smtp.x.org", 465, True, False, "u", "p")),
        ("smtp://u:p@smtp.x.org:2525?starttls=true", ("smtp.x.org", 2525, False, True, "u", "p")),
    ],
)
def test_mail_url_forms(url, expected):
    from webapp.mailer import parse_mail_url

    s = parse_mail_url(url)
    assert (s.host, s.port, s.tls, s.starttls, s.username, s.password) == expected


@pytest.mark.parametrize("url", ["http://smtp.x.org", "smtp://", "smtp://h:notaport"])
def test_bad_mail_urls_are_refused(url):
    from webapp.mailer import MailError, parse_mail_url

    with pytest.raises(MailError):
        parse_mail_url(url)


def test_gunicorn_workers_freeze_what_the_app_built_at_start():
    """gunicorn.conf.py's post_worker_init takes the start-up objects out of the collector's
    reach (full collections were the p99 tails under load)."""
    import gc
    import runpy
    from pathlib import Path

    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    assert conf["worker_class"] == "gthread"
    before = gc.get_freeze_count()
    try:
        conf["post_worker_init"](None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
