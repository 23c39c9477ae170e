"""The migrations build the schema from empty, and agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import config_for
from webapp import create_app
from webapp.config import normalise_database_url
from webapp.extensions import db
from webapp.search import include_name


def test_upgrade_from_empty_matches_the_models(empty_database):
    app = create_app(config_for(normalise_database_url(empty_database)))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "books", "reviews", "shelf_entries", "alembic_version"} <= tables
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name}
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        # Every revision also downgrades cleanly, back to empty.
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
