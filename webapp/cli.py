"""``flask --app webapp …`` commands."""

from __future__ import annotations

import click
from flask import Flask, current_app


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

    @app.cli.command("create-admin")
    @click.argument("username")
    @click.option("--email", help="Needed when the account does not exist yet.")
    @click.option("--password", help="Prompted for (hidden, confirmed) when not given.")
    def create_admin(username: str, email: str | None, password: str | None) -> None:
        """Create an admin account, or promote an existing one to admin."""
        from webapp.errors import ValidationError
        from webapp.models import User
        from webapp.services import accounts

        if User.by_username(username) is None and password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            user, created = accounts.create_admin(username, email, password)
        except ValidationError as error:
            raise click.ClickException(error.message) from None
        verb = "Created" if created else "Promoted"
        click.echo(f"{verb} {user.username} as an admin.")

    @app.cli.command("end-suspensions")
    def end_suspensions() -> None:
        """End suspensions whose time has passed and show their reviews again."""
        from webapp.services import staff

        click.echo(f"Ended {staff.end_expired_suspensions()} suspensions.")

    @app.cli.group("jobs", invoke_without_command=True)
    @click.pass_context
    def jobs(ctx) -> None:
        """List background jobs that failed every retry (see also /moderation/jobs)."""
        if ctx.invoked_subcommand:
            return
        from webapp.services import jobs as job_service

        failures = job_service.failures()
        for f in failures:
            click.echo(
                f"{f.id:>5}  {f.failed_at:%Y-%m-%d %H:%M}  {f.task}{tuple(f.args)!r}  "
                f"after {f.attempts} attempts: {f.error}"
            )
        click.echo(f"{len(failures)} failed job(s).")

    @jobs.command("retry")
    @click.argument("failure_id", type=int)
    def retry_job(failure_id: int) -> None:
        """Queue a failed job again."""
        from webapp.errors import NotFound
        from webapp.services import jobs as job_service

        try:
            failure = job_service.retry(failure_id)
        except NotFound as error:
            raise click.ClickException(str(error)) from None
        if failure.retried_at is None:
            raise click.ClickException("The queue did not answer.")
        click.echo(f"Queued {failure.task} again.")

    @app.cli.command("recount")
    @click.option("--check", is_flag=True, help="Change nothing; exit 1 if any number differs.")
    def recount(check: bool) -> None:
        """Recount every kept number (book ratings, helpful votes) and correct any that differ.

        Prints each difference as "book|review ID (title): field kept → counted".
        """
        from webapp.services import recount as counting

        differences = counting.check() if check else counting.repair()
        for difference in differences:
            click.echo(difference.line())
        if check and differences:
            click.echo(f"{len(differences)} kept number(s) differ from a recount.", err=True)
            raise click.exceptions.Exit(1)
        if check:
            click.echo("Every kept number equals its recount.")
        else:
            click.echo(f"Corrected {len(differences)} kept number(s).")

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
