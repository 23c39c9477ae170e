"""A real SMTP server (aiosmtpd, in a thread, on a free loopback port) and a job runner.

Loaded as a plugin by tests/conftest.py. Without aiosmtpd these tests skip locally and fail
under CI=true.
"""

from __future__ import annotations

import contextvars
import re
import socket
from email import message_from_bytes, policy

import pytest

from tests.conftest import require

LINK_RE = re.compile(r"https?://\S+")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """Collects what the SMTP server receives; ``refuse`` makes it answer 451 (try later)."""

    def __init__(self, port: int) -> None:
        self.url = f"smtp://127.0.0.1:{port}"
        self.messages: list = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.refuse:
            return "451 4.3.0 Mail server busy, try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in str(m["To"])]

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def link(self, message, contains: str) -> str:
        links = [u for u in LINK_RE.findall(self.text(message)) if contains in u]
        assert links, f"no link with {contains!r} in {self.text(message)!r}"
        return links[0]


@pytest.fixture(scope="session")
def smtp_server():
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        Controller = None  # noqa: N806
    require(Controller is not None, "aiosmtpd is not installed")
    port = free_port()
    box = Mailbox(port)
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    smtp_server.messages.clear()
    smtp_server.refuse = False
    return smtp_server


def run_jobs(app, now=None) -> int:
    """Run queued (and due scheduled) jobs as the worker does, in a fresh context."""
    from webapp.extensions import db
    from webapp.tasks import run_pending

    done = contextvars.Context().run(run_pending, app.extensions["huey"], now=now)
    if db.session.registry.has():
        db.session.rollback()  # the test's session sees what the jobs wrote
    return done
