"""Colophon: a community book-review site."""

from __future__ import annotations

from flask import Flask

from webapp import converters
from webapp.config import INSTANCE, ROOT, load_config, storage_options
from webapp.inputs import clean_request_class
from webapp.urls import ColophonFlask


def create_app(config: dict | None = None) -> Flask:
    """Build the app. ``config`` overrides settings (tests pass ``COLOPHON_ENV`` and a database)."""
    app = ColophonFlask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE),
    )
    mode = (config or {}).get("COLOPHON_ENV")
    app.config.update(load_config(mode, (config or {}).get("SECRET_KEY")))
    app.config.update(config or {})
    INSTANCE.mkdir(exist_ok=True)

    register_extensions(app)
    app.request_class = clean_request_class(app.request_class)
    converters.init_app(app)
    register_blueprints(app)
    register_hooks(app)

    from webapp import cli, serving, views

    views.register_error_handlers(app)
    cli.register(app)
    serving.init_app(app)
    return app


def register_extensions(app: Flask) -> None:
    from webapp import models  # noqa: F401  (registers the tables)
    from webapp.extensions import csrf, db, htmx, limiter, login_manager, migrate

    db.init_app(app)
    from webapp.services import versions

    versions.init_app()
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    uri = app.config["RATELIMIT_STORAGE_URI"]
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", storage_options(uri))
    limiter.init_app(app)
    login_manager.init_app(app)

    from webapp import media, tasks

    tasks.init_app(app)
    media.init_app(app)

    from webapp.engine import configure_engine, guard_session_teardown

    configure_engine(app)
    guard_session_teardown(app)


BLUEPRINTS = (
    "main",
    "auth",
    "account",
    "books",
    "reviews",
    "replies",
    "lists",
    "catalog",
    "users",
    "reports",
    "moderation",
    "notices",
    "social",
    "recovery",
    "jobs",
    "imports",
    "exports",
    "reads",
    "tags",
    "stats",
    "media",
)  # fmt: skip  (modules of webapp.views, each with its ``bp``)


def register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for name in BLUEPRINTS:
        app.register_blueprint(import_module(f"webapp.views.{name}").bp)
    from webapp.views import mail

    mail.register(app)  # its bp, and the dev mail pages where mail is written to files


def register_hooks(app: Flask) -> None:
    from webapp import hosts, permissions, templating, web
    from webapp.filters import FILTERS
    from webapp.htmx import add_vary

    templating.init_app(app)
    app.after_request(add_vary)
    app.jinja_env.globals.update(permissions.PREDICATES)
    app.jinja_env.globals.update(absolute_url=hosts.absolute_url, absolute=hosts.absolute)
    app.jinja_env.filters.update(FILTERS)
    web.init_app(app)
    from webapp.services.reads import today

    app.jinja_env.globals["today"] = today
    from webapp.services import avatars, covers

    app.jinja_env.globals.update(
        cover_src=covers.cover_src,
        share_src=covers.share_src,
        avatar_src=avatars.avatar_src,
        avatar_initial=avatars.initial,
        avatar_tone=avatars.tone,
    )

    from webapp import caching, card_cache, reader_cache

    caching.init_app(app)
    card_cache.init_app(app)
    reader_cache.init_app(app)
