"""``flask --app webapp …`` commands."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    """Attach the project's commands to ``app``."""

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the catalogue has books.")
    def seed_demo(if_empty: bool) -> None:
        """Load demo books, readers and reviews into an empty database."""
        from webapp.services import demo

        if not demo.is_empty():
            if if_empty:
                click.echo("The catalogue already has books; demo data not loaded.")
                return
            raise click.ClickException("The catalogue is not empty; seed-demo needs an empty one.")
        counts = demo.seed()
        click.echo(
            f"Loaded {counts['books']} books, {counts['reviews']} reviews and "
            f"{counts['readers']} demo readers (password: {demo.DEMO_PASSWORD!r})."
        )

    @app.cli.command("recount")
    def recount() -> None:
        """Rebuild every book's rating aggregates from its reviews."""
        from webapp.services import reviews

        click.echo(f"Recounted {reviews.recount()} books.")
