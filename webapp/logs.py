"""Logs as JSON lines on stdout: one line per request, and errors with their stack traces.

A PaaS collects stdout; JSON keeps each event (and each traceback) on a single line that log
search can filter by field. The request id comes from the router's ``X-Request-ID`` when it
sends a sane one (Heroku does), else is generated, and is echoed back on the response so a
reader's bug report can be matched to the log line.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from flask import has_request_context, request
from werkzeug.wsgi import ClosingIterator

REQUEST_LOGGER = "webapp.request"
ENVIRON_KEY = "colophon.request_id"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record; ``extra={...}`` fields and tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS})
        if "request_id" not in entry and has_request_context():
            request_id = request.environ.get(ENVIRON_KEY)
            if request_id:
                entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


class StdoutHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is now (it is swapped under test capture)."""

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure_logging(level: int = logging.INFO) -> None:
    """Send the ``webapp`` loggers (``app.logger`` included) to stdout as JSON, once."""
    logger = logging.getLogger("webapp")
    if not any(isinstance(h, StdoutHandler) for h in logger.handlers):
        handler = StdoutHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(level)


def request_id_from(environ: dict) -> str:
    given = environ.get("HTTP_X_REQUEST_ID", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


class RequestLogMiddleware:
    """Times each request (body included) and logs it as one line when the response closes."""

    def __init__(self, app: Callable, logger_name: str = REQUEST_LOGGER) -> None:
        self.app = app
        self.log = logging.getLogger(logger_name)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = environ[ENVIRON_KEY] = request_id_from(environ)
        status: list[int] = []

        def start(status_line, headers, exc_info=None):
            status[:] = [int(status_line.split(" ", 1)[0])]
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            headers.append(("X-Request-ID", request_id))
            return start_response(status_line, headers, exc_info)

        def done() -> None:
            self.log.info(
                "request",
                extra={
                    "method": environ.get("REQUEST_METHOD"),
                    "path": environ.get("PATH_INFO"),
                    "status": status[0] if status else None,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "request_id": request_id,
                    "remote_addr": environ.get("REMOTE_ADDR"),
                },
            )

        try:
            body = self.app(environ, start)
        except BaseException:
            status[:] = [500]
            done()
            raise
        return ClosingIterator(body, done)
