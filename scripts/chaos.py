"""Faults, as a test: mixed traffic at the production server while things break.

gunicorn (gunicorn.conf.py, production mode) serves a throwaway PostgreSQL database, with the
rate limiter's counters in a Redis of our own (never the shared one on 6379). Reader threads
browse, save reviews, mark reviews helpful and sign in, while, one phase at a time:

1. PostgreSQL restarts (``pg_ctlcluster --skip-systemctl-redirect <v> main restart``);
2. the limiter's Redis stops for a few seconds, then comes back;
3. one gunicorn worker is killed (SIGKILL); the master starts another.

Every answer is recorded. The run fails if an error (a 5xx, a dropped connection or any other
unexpected answer) falls outside a fault's window (the fault itself plus GRACE seconds), if
the last phase has any error at all, if any answer is a 500 (a fault is answered with 503 or
absorbed), if Redis being down costs any request (it only holds rate-limit counters: the
limiter falls back to memory), or if ``flask recount --check``
afterwards finds a kept number that differs from a recount. It prints the errors per phase.

    python scripts/chaos.py      # make chaos; ADMIN_DATABASE_URL, CHAOS_REDIS_PORT, CHAOS_FAULTS

Restarting PostgreSQL breaks every other connection to that server (other test runs too): run
it rarely. It always leaves PostgreSQL running.
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
from paas_rehearsal import CSRF_RE, Site, free_port

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_PORT = int(os.environ.get("CHAOS_REDIS_PORT", "6385"))
# CHAOS_FAULTS=redis,worker leaves PostgreSQL alone (its phase then runs without a fault).
FAULTS = set(os.environ.get("CHAOS_FAULTS", "postgres,redis,worker").split(","))
READERS = 6  # traffic threads, one signed-in reader each
GRACE = 3.0  # seconds after a fault ends during which errors still belong to it
PASSWORD = "chaos monkey passphrase"  # noqa: S105 (throwaway accounts in a throwaway database)
BIN = Path(sys.executable).parent
# Phase name, seconds after its fault (None: none) has ended.
PHASES = [
    ("steady", 6, None),
    ("postgres restart", 6, "postgres"),
    ("redis down 4 s", 6, "redis"),
    ("worker killed", 6, "worker"),
    ("after recovery", 8, None),
]


def say(message: str) -> None:
    print(f"[chaos] {message}", flush=True)


@dataclass
class Event:
    at: float
    action: str
    outcome: str  # "ok", "4xx", "5xx" or "conn"
    detail: str


@dataclass
class Record:
    events: list[Event] = field(default_factory=list)
    windows: list[tuple[str, float, float]] = field(default_factory=list)  # fault, start, end
    phases: list[tuple[str, float, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, action: str, outcome: str, detail: str) -> None:
        with self.lock:
            self.events.append(Event(time.monotonic(), action, outcome, detail))

    def in_window(self, at: float) -> str | None:
        for fault, start, end in self.windows:
            if start <= at <= end + GRACE:
                return fault
        return None


# --- the parts: database, Redis, gunicorn ------------------------------------------------------


def pg_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def restart_postgres() -> None:
    subprocess.run(  # noqa: S603
        ["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", "restart"],  # noqa: S607
        check=True,
        timeout=60,
    )


def ensure_postgres_running() -> None:
    ready = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False)  # noqa: S607
    if ready.returncode != 0:
        say("PostgreSQL is not answering: starting it")
        subprocess.run(  # noqa: S603
            ["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", "start"],  # noqa: S607
            check=False,
            timeout=60,
        )


class Redis:
    """Our own redis-server on REDIS_PORT (no persistence), stopped and started by its pid."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port)]
            + ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            ping = subprocess.run(  # noqa: S603
                ["redis-cli", "-p", str(self.port), "ping"],  # noqa: S607
                capture_output=True,
                text=True,
                check=False,
            )
            if ping.stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def prepare_database(url: str) -> None:
    """Migrations, the demo catalogue and READERS readers, through the app itself."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import User
    from webapp.services import demo

    app = create_app({"COLOPHON_ENV": "development", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        demo.seed()
        password_hash = generate_password_hash(PASSWORD)
        for n in range(READERS):
            name = f"chaos{n}"
            db.session.add(
                User(
                    username=name,
                    username_key=name,
                    email=f"{name}@example.com",
                    password_hash=password_hash,
                )
            )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def targets(url: str) -> tuple[list[int], list[int]]:
    """Book ids to read and review, and review ids (by demo readers) to mark helpful."""
    with psycopg.connect(url) as conn:
        books = [r[0] for r in conn.execute("SELECT id FROM books ORDER BY id LIMIT 12")]
        reviews = [r[0] for r in conn.execute("SELECT id FROM reviews ORDER BY id LIMIT 30")]
    return books, reviews


class Gunicorn:
    def __init__(self, env: dict, log: Path) -> None:
        self.port = int(env["PORT"])
        self.log = log.open("ab")
        self.proc = subprocess.Popen(  # noqa: S603
            [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "webapp:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,  # the JSON access log
            stderr=self.log,
            start_new_session=True,
        )

    def workers(self) -> list[int]:
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    children.append(int(entry.name))
        return sorted(children)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


# --- traffic ----------------------------------------------------------------------------------


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
EXPECTED = {"read": {200}, "search": {200}, "save": {303}, "vote": {303}, "login": {303}}


def sign_in(port: int, username: str) -> tuple[Site, str | None, int]:
    """A fresh session signed in as ``username``: (site, CSRF token, status of the POST)."""
    site = Site(port)
    page = site.request("GET", "/login", https=False)
    match = CSRF_RE.search(page.body.decode(errors="replace"))
    if match is None:
        return site, None, page.status
    form = {"csrf_token": match.group(1), "login": username, "password": PASSWORD}
    answer = site.request("POST", "/login", https=False, body=urlencode(form), headers=FORM)
    return site, match.group(1), answer.status


def canonical(site: Site, books: list[int]) -> list[str]:
    """Each book's canonical address (``/books/<id>`` redirects to it)."""
    paths = []
    for book in books:
        answer = site.request("GET", f"/books/{book}", https=False)
        paths.append(urlsplit(answer.headers.get("Location") or f"/books/{book}").path)
    return paths


@dataclass
class Targets:
    pages: list[str]  # the home page and books' canonical addresses
    books: list[int]
    reviews: list[int]  # by demo readers, so any chaos reader may mark them helpful


def request(site: Site, action: str, token: str, rng: random.Random, to: Targets) -> int:
    if action == "read":
        path = rng.choice(to.pages)
        return site.request("GET", path, https=False).status
    if action == "search":
        return site.request("GET", "/books?q=the", https=False).status
    if action == "save":
        form = {"csrf_token": token, "rating": rng.choice(["1", "2.5", "4", "5"])}
        form["body"] = rng.choice(["", "Read it during a *storm*."])
        path = f"/books/{rng.choice(to.books)}/review"
    else:  # vote
        form = {"csrf_token": token}
        path = f"/reviews/{rng.choice(to.reviews)}/helpful"
    return site.request("POST", path, https=False, body=urlencode(form), headers=FORM).status


def reader(site, token, n, to: Targets, record: Record, stop: threading.Event) -> None:
    """One signed-in reader's traffic until ``stop``; every answer goes into ``record``."""
    rng = random.Random(n)  # noqa: S311 (traffic mix, not secrets)
    while not stop.is_set():
        action = rng.choices(["read", "search", "save", "vote", "login"], [5, 1, 2, 2, 1])[0]
        try:
            if action == "login":
                status = sign_in(site.port, f"chaos{n}")[2]
            else:
                status = request(site, action, token, rng, to)
        except OSError as exc:  # refused, reset, timed out
            record.add(action, "conn", type(exc).__name__)
            time.sleep(0.05)
            continue
        outcome = "ok" if status in EXPECTED[action] else f"{status // 100}xx"
        record.add(action, outcome, str(status))
        if outcome != "ok":
            time.sleep(0.05)


# --- phases and verdict -----------------------------------------------------------------------


def inject(fault: str | None, redis: Redis, web: Gunicorn, record: Record) -> None:
    if fault is None or fault not in FAULTS:
        return
    start = time.monotonic()
    if fault == "postgres":
        restart_postgres()
    elif fault == "redis":
        redis.stop()
        time.sleep(4)
        redis.start()
    elif fault == "worker":
        victim = random.choice(web.workers())  # noqa: S311
        os.kill(victim, signal.SIGKILL)
        say(f"killed worker {victim}")
    record.windows.append((fault, start, time.monotonic()))
    say(f"{fault} fault lasted {time.monotonic() - start:.1f} s")


def verdict(record: Record) -> list[str]:
    failures = []
    rows = []
    for name, start, end in record.phases:
        events = [e for e in record.events if start <= e.at < end]
        counts = Counter(e.outcome for e in events)
        spilled = [e for e in events if e.outcome != "ok" and record.in_window(e.at) is None]
        rows.append((name, len(events), counts, len(spilled)))
        for e in spilled[:5]:
            failures.append(f"{name}: {e.action} → {e.detail} outside any fault window")
        if name == PHASES[-1][0] and any(e.outcome != "ok" for e in events):
            failures.append(f"{name}: {len(events) - counts['ok']} errors after recovery")
    header = ("phase", "requests", "ok", "4xx", "5xx", "conn", "outside")
    print("{:<18} {:>8} {:>6} {:>5} {:>5} {:>5} {:>8}".format(*header))
    for name, total, c, spilled in rows:
        print(
            f"{name:<18} {total:>8} {c['ok']:>6} {c['4xx']:>5} {c['5xx']:>5} {c['conn']:>5}"
            f" {spilled:>8}"
        )
    for fault, start, end in record.windows:
        errors = [e for e in record.events if e.outcome != "ok" and start <= e.at <= end + GRACE]
        kinds = Counter(f"{e.action} {e.detail}" for e in errors)
        say(f"{fault} window ({end - start:.1f} s + {GRACE:.0f} s): {dict(kinds) or 'no errors'}")
        if fault == "redis" and errors:
            # Only rate-limit counters live there: the limiter falls back to memory.
            failures.append(f"Redis down cost {len(errors)} requests; readers should not notice")
    crashes = sum(e.detail == "500" for e in record.events)
    say(f"500 answers in all: {crashes}")
    if crashes:
        # Inside a window too: a fault is answered with 503 (and Retry-After) or absorbed.
        failures.append(f"{crashes} answers were 500; an outage answers 503, never 500")
    return failures


def recount_check(env: dict) -> list[str]:
    check = subprocess.run(  # noqa: S603
        [str(BIN / "flask"), "--app", "webapp", "recount", "--check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    print(check.stdout + check.stderr, end="")
    return [] if check.returncode == 0 else ["flask recount --check found differences"]


def main() -> int:
    name = f"colophon_chaos_{uuid.uuid4().hex[:10]}"
    admin = urlsplit(ADMIN_URL)
    url = f"postgresql://{admin.netloc}/{name}"
    logdir = Path(os.environ.get("CHAOS_LOG_DIR") or tempfile.gettempdir()) / name
    logdir.mkdir(parents=True)
    redis = Redis(REDIS_PORT)
    web = None
    stop = threading.Event()
    record = Record()
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        prepare_database(url.replace("postgresql://", "postgresql+psycopg://"))
        books, reviews = targets(url)
        redis.start()
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COLOPHON_", "FLASK_"))}
        env |= {
            "COLOPHON_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": url,
            "PORT": str(port),
            "SITE_URL": f"http://127.0.0.1:{port}",
            "FORCE_HTTPS": "0",
            "SESSION_COOKIE_SECURE": "0",
            "WEB_CONCURRENCY": "3",
            "GUNICORN_THREADS": "2",
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{REDIS_PORT}/0",
            "LOGIN_LIMIT_PER_IP": "100000 per minute",
            "LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute",
            "POST_LIMIT_PER_USER": "1000000 per hour",
        }
        web = Gunicorn(env, logdir / "gunicorn.log")
        probe = Site(port)
        deadline = time.monotonic() + 60
        while True:
            try:
                if probe.request("GET", "/healthz", https=False).status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or web.proc.poll() is not None:
                raise RuntimeError(f"gunicorn did not start; see {logdir}")
            time.sleep(0.3)
        say(f"gunicorn on :{port} ({len(web.workers())} workers), Redis on :{REDIS_PORT}")
        to = Targets(["/", *canonical(probe, books)], books, reviews)
        sessions = [sign_in(port, f"chaos{n}") for n in range(READERS)]
        if any(status != 303 for _, _, status in sessions):
            raise RuntimeError(f"signing in answered {[s for _, _, s in sessions]}")
        threads = [
            threading.Thread(target=reader, args=(site, token, n, to, record, stop))
            for n, (site, token, _) in enumerate(sessions)
        ]
        for thread in threads:
            thread.start()
        for phase, seconds, fault in PHASES:
            start = time.monotonic()
            say(f"phase: {phase}")
            inject(fault, redis, web, record)
            time.sleep(seconds)  # counted from the fault's end: recovery happens in the phase
            record.phases.append((phase, start, time.monotonic()))
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        failures = verdict(record)
        failures += recount_check(env)
    except Exception as exc:  # noqa: BLE001 - reported as a failed run
        failures = [f"{type(exc).__name__}: {exc}"]
    finally:
        stop.set()
        if web is not None:
            web.stop()
        redis.stop()
        ensure_postgres_running()
        for _ in range(20):
            try:
                with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except psycopg.OperationalError:
                time.sleep(0.5)
    for failure in failures:
        say(f"FAIL {failure}")
    say("PASSED" if not failures else f"FAILED (logs: {logdir})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
