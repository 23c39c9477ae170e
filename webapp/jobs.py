"""The background jobs. Each is a thin call into a service, safe to run twice."""

from __future__ import annotations

from webapp.tasks import job, periodic


@job(retries=6, delay=30)  # 30 s, 1 min, 2 min … about 30 minutes of retrying in all
def deliver_mail(message_id: int) -> None:
    from webapp.services import mail

    mail.deliver(message_id)


@periodic(minute="*/10")
def sweep_outbox() -> None:
    """Queue mail that was written but never tried (the queue was down when it was sent)."""
    from webapp.services import mail

    mail.sweep()


@periodic(minute="*")
def end_suspensions() -> None:
    from webapp.services import staff

    staff.end_expired_suspensions()


@periodic(hour="7", minute="0")
def send_digests() -> None:
    from webapp.services import mail

    mail.send_digests()


@periodic(minute="17")
def clean_up() -> None:
    """Delete expired archive downloads and imports past their retention (services.retention)."""
    from webapp.services import retention

    retention.clean_up()


@job(retries=2, delay=30)
def run_import(import_id: int) -> None:
    """Place an uploaded library export's rows (resumes where a stopped run left off)."""
    from webapp.services import library_imports

    library_imports.run(import_id)


@job(retries=2, delay=30)
def build_archive(archive_id: int) -> None:
    from webapp.services import archives

    archives.build(archive_id)


@job(retries=3, delay=60)  # 1, 2, 4 minutes: a source that is down for a moment
def fetch_cover(book_id: int) -> None:
    from webapp.services import covers

    covers.fetch(book_id)


@periodic(minute="*/5")
def queue_cover_fetches() -> None:
    """Old cover links (migration 0017) are fetched into storage a batch at a time."""
    from webapp.services import covers

    covers.queue_legacy_fetches()
