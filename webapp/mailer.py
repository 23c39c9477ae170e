"""Sending one message: SMTP from ``MAIL_URL``, or files under ``MAIL_DIR`` in development.

``MAIL_URL`` is read like ``DATABASE_URL``: ``smtp://user:pass@host:587?starttls=1`` for
STARTTLS, ``smtps://user:pass@host:465`` for TLS from the start, ``smtp://host:25`` for a
relay without login. Without it, development and tests write each message to a ``.eml`` file
(the /dev/mail page lists them); production refuses, and ``flask doctor`` fails.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app

from webapp.models.base import utcnow

SMTP_TIMEOUT = 20


class MailError(RuntimeError):
    """Mail cannot be sent with this configuration."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: bool  # TLS from the first byte (smtps)
    starttls: bool
    username: str | None
    password: str | None


def parse_mail_url(url: str) -> SmtpSettings:
    """Raises MailError for anything but a usable smtp:// or smtps:// URL."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise MailError("MAIL_URL must look like smtp://user:pass@host:587?starttls=1 or smtps://…")
    query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    tls = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if tls else 587 if query.get("starttls") else 25)
    except ValueError as exc:
        raise MailError(f"MAIL_URL has a bad port: {exc}") from None
    return SmtpSettings(
        host=parts.hostname,
        port=port,
        tls=tls,
        starttls=not tls and query.get("starttls") in {"1", "true", "yes", "on"},
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def can_send(app=None) -> bool:
    """Whether this site can deliver mail at all (production needs MAIL_URL)."""
    config = (app or current_app).config
    return bool(config.get("MAIL_URL")) or config["COLOPHON_ENV"] != "production"


def build(
    *,
    to_name: str,
    to_address: str,
    subject: str,
    text: str,
    html: str,
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """A multipart/alternative message (plain text first, then HTML).

    ``unsubscribe_url`` adds List-Unsubscribe with RFC 8058 one-click (mail that is not
    about the reader's security).
    """
    message = EmailMessage()
    sender = current_app.config["MAIL_FROM"]
    message["From"] = sender
    message["To"] = Address(display_name=to_name, addr_spec=to_address)
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    domain = sender.rpartition("@")[2].strip(" >") or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send(message: EmailMessage) -> None:
    """Deliver ``message`` now. Raises (MailError, OSError, smtplib errors) on failure."""
    url = current_app.config.get("MAIL_URL")
    if url:
        _send_smtp(parse_mail_url(url), message)
    elif current_app.config["COLOPHON_ENV"] != "production":
        _write_file(message)
    else:
        raise MailError("MAIL_URL is not set: this site cannot send mail")


def _send_smtp(settings: SmtpSettings, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    if settings.tls:
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=SMTP_TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    with smtp:
        if settings.starttls:
            smtp.starttls(context=context)
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(message)


def mail_dir() -> Path:
    return Path(current_app.config["MAIL_DIR"])


def _write_file(message: EmailMessage) -> None:
    folder = mail_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
    (folder / name).write_bytes(bytes(message))
