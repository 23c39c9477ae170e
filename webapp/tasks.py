"""Background jobs on huey: mail delivery, the outbox sweep, suspensions, daily digests.

Huey because it needs no server by default (``SqliteHuey`` in ``instance/``), speaks Redis
when ``REDIS_URL`` is set (several workers or dynos), and has retries with backoff and
periodic tasks built in; Celery or RQ would need a broker for ``make run``.

One huey per app (``app.extensions["huey"]``), so tests and the worker each bind the jobs to
their own queue; ``webapp.worker`` is what ``huey_consumer`` runs. Every job runs inside an app
and request context built on ``SITE_URL``, so templates and ``url_for`` work as in a page.
Jobs are idempotent: running one twice does no harm. A job that fails its last retry is kept
as a ``JobFailure`` row that staff see at /moderation/jobs and in ``flask jobs``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.signals import SIGNAL_ERROR

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    fn: Callable
    retries: int = 0
    delay: int = 0  # seconds before the first retry; doubled after each failure
    cron: dict | None = None  # periodic jobs: crontab fields


JOBS: dict[str, Job] = {}


def job(retries: int = 5, delay: int = 30):
    """Register a function as a job, retried ``retries`` times with exponential backoff."""

    def register(fn: Callable) -> Callable:
        JOBS[fn.__name__] = Job(fn, retries, delay)
        return fn

    return register


def periodic(**cron):
    """Register a function to run on a crontab schedule (``minute="*"``, ``hour="7"`` …)."""

    def register(fn: Callable) -> Callable:
        JOBS[fn.__name__] = Job(fn, cron=cron)
        return fn

    return register


def make_huey(app: Flask):
    kind = app.config["TASK_QUEUE"]
    if kind == "redis":
        huey = RedisHuey("colophon", url=app.config["REDIS_URL"], results=False)
    elif kind == "sqlite":
        huey = SqliteHuey("colophon", filename=app.config["TASK_QUEUE_FILE"], results=False)
    elif kind == "memory":
        huey = MemoryHuey("colophon", results=False)
    else:
        raise ValueError(f"TASK_QUEUE must be redis, sqlite or memory, not {kind!r}")
    from webapp import jobs  # noqa: F401  (registers the jobs)

    huey.colophon_tasks = {}
    for name, spec in JOBS.items():
        fn = _in_app(app, spec.fn)
        if spec.cron is not None:
            wrapper = huey.periodic_task(crontab(**spec.cron), name=name)(fn)
        else:
            wrapper = huey.task(
                retries=spec.retries, retry_delay=spec.delay, retry_backoff=2, name=name
            )(fn)
        huey.colophon_tasks[name] = wrapper
    huey.signal(SIGNAL_ERROR)(functools.partial(_record_failure, app))
    return huey


def init_app(app: Flask) -> None:
    app.extensions["huey"] = make_huey(app)


def _in_app(app: Flask, fn: Callable) -> Callable:
    @functools.wraps(fn)
    def run(*args):
        base = app.config.get("SITE_URL") or "http://localhost"
        with app.test_request_context("/", base_url=base):
            return fn(*args)

    return run


def _record_failure(app: Flask, signal, task, exc=None) -> None:
    """Keep a job that failed its last attempt, with its error, for staff to retry."""
    if task.retries:
        return  # huey tries again later
    from webapp.services import jobs as job_service

    spec = JOBS.get(task.name)
    attempts = (spec.retries if spec else 0) + 1
    try:
        with app.app_context():
            job_service.record_failure(task.name, list(task.args), repr(exc), attempts)
    except Exception:  # the database may be what failed; the worker log keeps the error
        log.exception("could not record the failure of %s", task.name)


def enqueue(name: str, *args) -> bool:
    """Queue job ``name``; False (and a log line) when the queue cannot take it.

    A reader's request never fails because the queue is down: mail rows stay in the outbox
    and the periodic sweep queues them again.
    """
    try:
        current_app.extensions["huey"].colophon_tasks[name](*args)
    except Exception:
        log.exception("could not queue %s%r", name, args)
        return False
    return True


def run_pending(huey, *, now=None) -> int:
    """Run every queued job and every scheduled one that is due, in this thread; the count.

    What ``huey_consumer`` does, for tests and ``flask jobs run``: the jobs themselves run
    exactly as in the worker (retries, backoff, failure records).
    """
    now = now or huey._get_timestamp()
    done = 0
    for task in huey.read_schedule(now):
        huey.enqueue(task)
    while (task := huey.dequeue()) is not None:
        huey.execute(task, now)
        done += 1
    return done


def queue_check(app: Flask) -> tuple[bool, str]:
    """(answers, description) for ``flask doctor`` and /healthz."""
    huey = app.extensions["huey"]
    kind = app.config["TASK_QUEUE"]
    try:
        pending = huey.pending_count()
    except Exception as exc:
        return False, f"{kind} queue does not answer: {type(exc).__name__}"
    return True, f"{kind} queue answers ({pending} waiting)"


def redis_check(url: str | None) -> tuple[bool | None, str]:
    """(answers, description) for REDIS_URL: None when it is not set."""
    if not url:
        return None, "not configured"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception as exc:  # any client error means "unreachable"
        return False, f"unreachable: {type(exc).__name__}"
    return True, "ok"
