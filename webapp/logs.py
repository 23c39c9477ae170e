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
import secrets
import sys
import time
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
        entry = head(record.created, record.levelname, record.name, record.getMessage())
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


def head(created: float, level: str, name: str, message: str) -> dict:
    """The fields every line starts with."""
    return {
        "time": datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds"),
        "level": level,
        "logger": name,
        "message": message,
    }


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
    return given if _REQUEST_ID.match(given) else secrets.token_hex(16)


def sole_json_handler(logger: logging.Logger) -> StdoutHandler | None:
    """The one handler an INFO record of ``logger`` would reach, when it is our JSON handler
    to stdout, unfiltered, with nothing else listening (no test capture, no handler an
    operator added); None otherwise, and the record goes through ``logging``."""
    if logger.disabled or logger.filters or not logger.isEnabledFor(logging.INFO):
        return None
    found, node = None, logger
    while node is not None:
        for handler in node.handlers:
            if (
                found is not None
                or type(handler) is not StdoutHandler
                or type(handler.formatter) is not JsonFormatter
                or handler.filters
                or handler.level > logging.INFO
            ):
                return None
            found = handler
        node = node.parent if node.propagate else None
    return found


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
            self.write(
                {
                    "method": environ.get("REQUEST_METHOD"),
                    "path": environ.get("PATH_INFO"),
                    "status": status[0] if status else None,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "request_id": request_id,
                    "remote_addr": environ.get("REMOTE_ADDR"),
                }
            )

        try:
            body = self.app(environ, start)
        except BaseException:
            status[:] = [500]
            done()
            raise
        return ClosingIterator(body, done)

    def write(self, fields: dict) -> None:
        """The request's line. With the default set-up (our handler alone) it is written here,
        the same line ``logging`` would write: building a LogRecord and passing it through the
        logging machinery cost ~26 µs of a ~200 µs cached page (bench/README.md, session 6)."""
        handler = sole_json_handler(self.log)
        if handler is not None:
            entry = head(time.time(), "INFO", self.log.name, "request") | fields
            line = json.dumps(entry, default=str) + handler.terminator
            with handler.lock:
                try:
                    stream = handler.stream
                    stream.write(line)
                    stream.flush()
                    return
                except Exception:  # noqa: BLE001, S110 (logging reports it below, its way)
                    pass
        self.log.info("request", extra=fields)
