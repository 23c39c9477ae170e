"""``flask --app webapp …`` commands."""

from __future__ import annotations

import click
from flask import Flask, current_app


def register(app: Flask) -> None:
    """Attach the project's commands to ``app``."""

    @app.cli.command("doctor")
    def doctor() -> None:
        """Check this configuration for production; exits 1 if any check fails."""
        from webapp.doctor import FAIL, run_checks

        results = run_checks(current_app)
        for result in results:
            click.echo(result.line())
        failed = [r for r in results if r.status == FAIL]
        if failed:
            click.echo(f"{len(failed)} check(s) failed.", err=True)
            raise click.exceptions.Exit(1)
