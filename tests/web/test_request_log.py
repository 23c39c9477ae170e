"""The request log's own writer (webapp/logs.py): with our handler alone it writes the line
itself, the same line ``logging`` writes; anything else listening gets the record as before."""

from __future__ import annotations

import json
import logging

import pytest

from webapp.logs import REQUEST_LOGGER, JsonFormatter, StdoutHandler, sole_json_handler


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def request_lines(capsys) -> list[dict]:
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return [e for e in lines if e.get("logger") == REQUEST_LOGGER]


@pytest.fixture
def alone(monkeypatch):
    """The production set-up: nothing above ``webapp`` listens (pytest's capture sits on root)."""
    monkeypatch.setattr(logging.getLogger("webapp"), "propagate", False)


def comparable(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if k not in ("time", "duration_ms", "request_id")}


def test_alone_the_line_is_written_directly_and_matches_loggings(client, capsys, alone):
    logger = logging.getLogger(REQUEST_LOGGER)
    assert sole_json_handler(logger) is not None
    capsys.readouterr()
    client.get("/login", headers={"X-Request-ID": "direct-1"}).close()
    direct = request_lines(capsys)
    # The same request through logging: a second handler listening turns the direct path off.
    listener = Collect()
    logger.addHandler(listener)
    try:
        assert sole_json_handler(logger) is None
        client.get("/login", headers={"X-Request-ID": "direct-1"}).close()
    finally:
        logger.removeHandler(listener)
    through_logging = request_lines(capsys)
    assert len(direct) == len(through_logging) == 1 and len(listener.records) == 1
    assert list(direct[0]) == list(through_logging[0])  # same keys, same order
    assert (
        comparable(direct[0])
        == comparable(through_logging[0])
        == {
            "level": "INFO",
            "logger": REQUEST_LOGGER,
            "message": "request",
            "method": "GET",
            "path": "/login",
            "status": 200,
            "remote_addr": "127.0.0.1",
        }
    )
    assert direct[0]["request_id"] == "direct-1"
    assert direct[0]["time"].endswith("+00:00") and isinstance(direct[0]["duration_ms"], float)


def test_filters_levels_and_other_handlers_are_honoured(client, capsys, alone):
    logger = logging.getLogger(REQUEST_LOGGER)
    capsys.readouterr()

    class Drop(logging.Filter):
        def filter(self, record):
            return record.getMessage() != "request"

    logger.addFilter(drop := Drop())
    try:
        client.get("/login").close()
    finally:
        logger.removeFilter(drop)
    assert request_lines(capsys) == []

    logger.setLevel(logging.WARNING)
    try:
        assert sole_json_handler(logger) is None
        client.get("/login").close()
    finally:
        logger.setLevel(logging.NOTSET)
    assert request_lines(capsys) == []

    # Two of our own handlers write two lines, as logging would.
    second = StdoutHandler()
    second.setFormatter(JsonFormatter())
    logger.addHandler(second)
    try:
        client.get("/login").close()
    finally:
        logger.removeHandler(second)
    assert len(request_lines(capsys)) == 2

    # A handler an operator hangs on the root logger (with webapp propagating) sees each request.
    root_listener = Collect()
    logging.getLogger("webapp").propagate = True
    logging.getLogger().addHandler(root_listener)
    try:
        client.get("/login").close()
    finally:
        logging.getLogger().removeHandler(root_listener)
    assert [r.getMessage() for r in root_listener.records if r.name == REQUEST_LOGGER] == [
        "request"
    ]
    assert len(request_lines(capsys)) == 1
