"""Extension objects, created once and bound to an app in ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints so Alembic can alter them later, on SQLite batch mode too.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def posting_limit(setting: str = "POST_LIMIT_PER_USER"):
    """Per-reader limit on posting (reviews, votes, books, reports), read from ``setting``."""
    from flask import current_app

    return limiter.limit(lambda: current_app.config[setting], key_func=reader_key, methods=["POST"])


def reader_key() -> str:
    from flask_login import current_user

    if current_user.is_authenticated:
        return f"reader:{current_user.id}"
    return get_remote_address()
