"""Run the Procfile the way a PaaS does, then smoke-test the site over HTTP.

1. Copy the checkout's tracked files into a temporary "slug" (no .env, no instance/, no
   node_modules). As the buildpacks do (Node.js first, per app.json): `npm ci` from
   package-lock.json, then requirements.txt (the hash-pinned lock) into the slug's own
   virtualenv: the site then runs only on what the locks name.
2. Create a fresh PostgreSQL database, passed as DATABASE_URL in the postgres:// form.
3. Run the Procfile's ``release:`` command, then its ``web:`` and ``worker:`` commands with PORT
   set, a generated SECRET_KEY, COLOPHON_ENV unset (so production), MAIL_URL pointing at a real
   SMTP server (aiosmtpd) and REDIS_URL when Redis answers; wait for /healthz.
4. Smoke-test as the platform's router would (X-Forwarded-Proto: https), including plain HTTP;
   the worker must deliver the sign-up confirmation and a password-reset mail.
5. Stop gunicorn and the worker, drop the database, delete the slug. Exit 1 on any failure;
   bounded in time.

    python scripts/paas_rehearsal.py        # ADMIN_DATABASE_URL picks the server,
                                            # REHEARSAL_REDIS_URL the Redis database
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from email import message_from_bytes, policy
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
# The queue and rate limits, when a Redis server answers on 127.0.0.1:6379.
REDIS_URL = os.environ.get("REHEARSAL_REDIS_URL", "redis://127.0.0.1:6379/14")
ADMIN_URL = os.environ.get("ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DEADLINE_SECONDS = int(os.environ.get("REHEARSAL_TIMEOUT", "180"))
HTTP_TIMEOUT = 10
EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
CSRF_RE = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


class Failed(Exception):
    pass


def start_process(command: str, cwd: Path, env: dict, log_path: Path) -> subprocess.Popen:
    """A Procfile process in its own process group, its output in ``log_path``."""
    with open(log_path, "wb") as log:
        return subprocess.Popen(  # noqa: S602  (Procfile lines are shell commands)
            command,
            shell=True,
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def say(message: str) -> None:
    print(f"[rehearsal] {message}", flush=True)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)
    say(f"ok  {message}")


def procfile() -> dict[str, str]:
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            processes[name.strip()] = command.strip()
    for needed in ("release", "web", "worker"):
        if needed not in processes:
            raise Failed(f"Procfile has no {needed}: process")
    return processes


def build_slug(target: Path) -> None:
    """What a git push deploys: tracked and new unignored files, as in the working tree."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listing.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def install_node_packages(slug: Path, deadline: float) -> None:
    """The Node.js buildpack's step, which app.json runs before Python's: ``npm ci`` from the
    lock (htmx and the fonts the site serves; the site refuses to start without them)."""
    buildpacks = [pack["url"] for pack in json.loads((slug / "app.json").read_text())["buildpacks"]]
    check(
        buildpacks.index("heroku/nodejs") < buildpacks.index("heroku/python"),
        f"app.json buildpacks run Node.js before Python ({buildpacks})",
    )
    npm = subprocess.run(  # noqa: S603
        ["npm", "ci", "--no-audit", "--no-fund"],  # noqa: S607
        cwd=slug,
        capture_output=True,
        text=True,
        timeout=max(5, deadline - time.monotonic()),
        check=False,
    )
    if npm.returncode != 0:
        raise Failed(f"npm ci failed:\n{npm.stderr[-3000:]}")
    say("ok  npm ci installed package-lock.json into the slug's node_modules")


def install(slug: Path, deadline: float) -> Path:
    """The buildpacks' steps: ``npm ci``, then a fresh virtualenv with
    ``pip install -r requirements.txt``."""
    install_node_packages(slug, deadline)
    venv = slug / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)  # noqa: S603
    pip = subprocess.run(  # noqa: S603
        [str(venv / "bin" / "pip"), "install", "--quiet", "--require-hashes"]
        + ["--no-warn-script-location", "-r", str(slug / "requirements.txt")],
        capture_output=True,
        text=True,
        timeout=max(5, deadline - time.monotonic()),
        check=False,
    )
    if pip.returncode != 0:
        raise Failed(f"pip install -r requirements.txt failed:\n{pip.stderr[-3000:]}")
    say("ok  installed requirements.txt (exact versions, hashes checked) into a fresh venv")
    return venv / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CoverSource:
    """The cover service COVER_SOURCE_URL points at (Open Library on a real platform; this box
    has no internet): a loopback HTTP server answering every ISBN with a small JPEG."""

    def __init__(self) -> None:
        import io
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (200, 300), (122, 46, 29)).save(buffer, "JPEG")
        body = buffer.getvalue()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/b/isbn/{{isbn}}-L.jpg"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Mailbox:
    """The mail server the platform's MAIL_URL points at: aiosmtpd on a loopback port."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, subject: str, deadline: float):
        while time.monotonic() < deadline:
            for message in self.messages:
                if message["Subject"] == subject:
                    self.messages.remove(message)
                    return message
            time.sleep(0.2)
        raise Failed(f"no {subject!r} mail arrived: is the worker running?")

    @staticmethod
    def link_path(message, contains: str) -> str:
        text = message.get_body(preferencelist=("plain",)).get_content()
        for url in re.findall(r"https?://\S+", text):
            if contains in url:
                return urlsplit(url).path
        raise Failed(f"no {contains} link in the mail")


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def platform_env(
    database_url: str, port: int, bin_dir: Path, mail_url: str, cover_url: str
) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COLOPHON_", "FLASK_", "SQLALCHEMY_"))
        and k
        not in {
            "SECRET_KEY",
            "DATABASE_URL",
            "RATELIMIT_STORAGE_URI",
            "PYTHONPATH",
            "REDIS_URL",
            "MAIL_URL",
            "MAIL_FROM",
            "TASK_QUEUE",
            "TASK_QUEUE_FILE",
            "COVER_SOURCE_URL",
        }
    }
    env.update(
        COVER_SOURCE_URL=cover_url,
        DATABASE_URL=database_url,
        PORT=str(port),
        SECRET_KEY=secrets.token_hex(32),  # what app.json's "generator": "secret" gives
        SITE_URL=f"http://127.0.0.1:{port}",  # the app's public address on a platform
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
    )
    # REDIS_URL carries the queue and the shared rate-limit counters; without Redis, rehearse
    # with one web worker and the SQLite queue in the slug's instance/ (shared by both processes).
    if redis_answers():
        env.update(WEB_CONCURRENCY="2", REDIS_URL=REDIS_URL)
    else:
        env.update(WEB_CONCURRENCY="1")
    env.update(MAIL_URL=mail_url, MAIL_FROM="Colophon <rehearsal@colophon.test>")
    return env


class Site:
    """A tiny HTTP client: one request per connection, cookies kept, redirects not followed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method, path, *, https=True, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
        sent = {"Host": self.host, **(headers or {})}
        if https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            response.body = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response


def wait_for_health(site: Site, web: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if web.poll() is not None:
            raise Failed(f"web process exited early with {web.returncode}")
        try:
            if site.request("GET", "/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise Failed("web process did not answer /healthz in time")


def assert_security_headers(response, what: str) -> None:
    h = response.headers
    check(h.get("Content-Security-Policy") == EXPECTED_CSP, f"{what}: Content-Security-Policy")
    check(
        h.get("X-Content-Type-Options") == "nosniff"
        and h.get("Referrer-Policy") == "strict-origin-when-cross-origin"
        and bool(h.get("Permissions-Policy"))
        and h.get("Cross-Origin-Opener-Policy") == "same-origin",
        f"{what}: nosniff, Referrer-Policy, Permissions-Policy, COOP",
    )
    check(h.get("Strict-Transport-Security", "").startswith("max-age="), f"{what}: HSTS")


def smoke(site: Site, mailbox: Mailbox) -> None:
    health = site.request("GET", "/healthz")
    check(health.status == 200 and json.loads(health.body)["database"] == "ok", "/healthz 200")
    check(site.request("GET", "/healthz", https=False).status == 200, "/healthz over plain http")

    plain = site.request("GET", "/signup?from=rehearsal", https=False)
    check(
        plain.status in (301, 308)
        and plain.headers["Location"] == f"https://{site.host}/signup?from=rehearsal",
        "plain http redirects to https",
    )

    home = site.request("GET", "/", headers={"X-Request-ID": "rehearsal-home"})
    check(home.status == 200, "home page 200")
    check(home.headers.get("X-Request-ID") == "rehearsal-home", "X-Request-ID echoed")
    assert_security_headers(home, "home page")

    page = site.request("GET", "/signup")
    match = CSRF_RE.search(page.body.decode())
    check(page.status == 200 and match is not None, "sign-up page carries a CSRF token")
    name = f"rehearsal_{uuid.uuid4().hex[:8]}"
    form = {
        "csrf_token": match.group(1),
        "username": name,
        "email": f"{name}@example.com",
        "password": "rehearsal passphrase 42",
    }
    signup = site.request(
        "POST",
        "/signup",
        body=urlencode(form),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://{site.host}/signup",
        },
    )
    check(signup.status == 303, f"sign-up POST 303 (got {signup.status})")
    session = [c for c in signup.headers.get_all("Set-Cookie") or [] if c.startswith("session=")]
    flags = {p.strip().lower() for p in session[-1].split(";")[1:]} if session else set()
    check(
        {"secure", "httponly", "samesite=lax"} <= flags,
        f"session cookie Secure, HttpOnly, SameSite=Lax ({sorted(flags)})",
    )
    check(name in site.request("GET", "/").body.decode(), "signed in after sign-up")
    confirm_and_reset(site, mailbox, name)

    html = home.body.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    check(len(assets) >= 4, f"home page links {len(assets)} hashed assets")
    for url in assets:
        asset = site.request("GET", url, headers={"Accept-Encoding": "br, gzip"})
        check(asset.status == 200, f"{url} 200")
        check(
            asset.headers.get("Cache-Control") == "public, max-age=31536000, immutable",
            f"{url} cached for a year, immutable",
        )
        if url.endswith((".css", ".js")):
            check(asset.headers.get("Content-Encoding") in {"br", "gzip"}, f"{url} compressed")
    assert_security_headers(asset, "static file")

    missing = site.request("GET", "/no/such/page")
    check(missing.status == 404 and b"Not found" in missing.body, "404 page")
    assert_security_headers(missing, "404 page")

    post_a_review(site)
    share_a_japanese_book(site)


def confirm_and_reset(site: Site, mailbox: Mailbox, name: str) -> None:
    """The worker mails the confirmation link; following it lets the reader post."""
    deadline = time.monotonic() + 30
    mail = mailbox.wait_for("Confirm your email address", deadline)
    check(mail["To"] == f"{name} <{name}@example.com>", "worker sent the confirmation mail")
    confirmed = post_form(site, mailbox.link_path(mail, "/email/confirm/"), {})
    check(confirmed.status == 303, f"confirmation link POST 303 (got {confirmed.status})")
    asked = post_form(site, "/password/forgot", {"email": f"{name}@example.com"})
    check(asked.status == 303, "password reset asked")
    reset = mailbox.wait_for("Reset your password", deadline)
    path = mailbox.link_path(reset, "/password/reset/")
    check(site.request("GET", path).status == 200, "reset link from the mail opens")


def post_form(site: Site, path: str, form: dict):
    page = site.request("GET", path)
    match = CSRF_RE.search(page.body.decode())
    check(page.status == 200 and match is not None, f"{path} carries a CSRF token")
    return site.request(
        "POST",
        path,
        body=urlencode({"csrf_token": match.group(1), **form}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://{site.host}{path}",
        },
    )


def post_a_review(site: Site) -> None:
    """The signed-in reader adds a book, rates and reviews it, and sees it on the page."""
    added = post_form(
        site,
        "/books/new",
        {
            "title": "The Left Hand of Darkness",
            "authors": "Ursula K. Le Guin",
            "isbn": "0441478123",
        },  # noqa: E501
    )
    check(added.status == 303, f"add-a-book POST 303 (got {added.status})")
    book_path = urlsplit(added.headers["Location"]).path
    review_path = book_path.split("-", 1)[0] + "/review"
    posted = site.request("GET", book_path)
    check(posted.status == 200, f"book page {book_path} 200")
    match = CSRF_RE.search(posted.body.decode())
    review = site.request(
        "POST",
        review_path,
        body=urlencode(
            {
                "csrf_token": match.group(1) if match else "",
                "rating": "4.5",
                "title": "Rehearsed",
                "body": "A *winter* journey, reviewed during the release rehearsal.",
            }
        ),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://{site.host}{book_path}",
        },
    )
    check(review.status == 303, f"review POST 303 (got {review.status})")
    page = site.request("GET", book_path).body.decode()
    check(
        "<em>winter</em> journey" in page and "4.5 out of 5 stars" in page,
        "the review and its rating are on the book page",
    )


def share_a_japanese_book(site: Site) -> None:
    """A book without a cover shares a PNG card drawn with the CJK fonts from the slug's
    node_modules (npm ci put them there; the site would not start without them)."""
    added = post_form(
        site, "/books/new", {"title": "吾輩は猫である", "authors": "夏目漱石", "language": "ja"}
    )
    check(added.status == 303, f"add-a-Japanese-book POST 303 (got {added.status})")
    page = site.request("GET", urlsplit(added.headers["Location"]).path).body.decode()
    match = re.search(r'<meta property="og:image" content="([^"]+)">', page)
    check(match is not None, "the Japanese book's page has an og:image")
    card_url = urlsplit(match.group(1))
    card = site.request("GET", f"{card_url.path}?{card_url.query}")
    check(
        card.status == 200
        and card.headers.get("Content-Type") == "image/png"
        and card.body.startswith(b"\x89PNG"),
        f"its share card {card_url.path} is a PNG",
    )


def check_request_log(log_path: Path) -> None:
    entries = []
    for line in log_path.read_text(errors="replace").splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    check(
        any(
            e.get("path") == "/" and e.get("request_id") == "rehearsal-home" and "duration_ms" in e
            for e in entries
        ),
        "JSON request log line on stdout with the request id",
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def main() -> int:
    deadline = time.monotonic() + DEADLINE_SECONDS
    processes = procfile()
    db_name = f"colophon_rehearsal_{uuid.uuid4().hex[:10]}"
    admin = urlsplit(ADMIN_URL)
    database_url = f"postgres://{admin.netloc}/{db_name}"  # the form platforms hand out
    slug = Path(tempfile.mkdtemp(prefix="colophon-slug-"))
    web = worker = None
    mailbox = Mailbox()
    mailbox.controller.start()
    covers = CoverSource()
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')
        say(f"created database {db_name}")
        build_slug(slug)
        bin_dir = install(slug, deadline)
        port = free_port()
        env = platform_env(
            database_url, port, bin_dir, f"smtp://127.0.0.1:{mailbox.port}", covers.url
        )

        say(f"release: {processes['release']}")
        release = subprocess.run(  # noqa: S602  (Procfile commands are shell commands)
            processes["release"],
            shell=True,
            cwd=slug,
            env=env,
            timeout=max(5, deadline - time.monotonic()),
            check=False,
        )
        check(release.returncode == 0, "release phase succeeded")

        say(f"web: {processes['web']} (PORT={port}, WEB_CONCURRENCY={env['WEB_CONCURRENCY']})")
        log_path = slug / "web.log"
        web = start_process(processes["web"], slug, env, log_path)
        say(f"worker: {processes['worker']} (queue: {env.get('REDIS_URL', 'SQLite')})")
        worker = start_process(processes["worker"], slug, env, slug / "worker.log")
        site = Site(port)
        wait_for_health(site, web, min(deadline, time.monotonic() + 60))
        smoke(site, mailbox)
        doctor = subprocess.run(  # noqa: S602
            "flask --app webapp doctor",  # noqa: S607
            shell=True,
            cwd=slug,
            env=env,
            capture_output=True,
            text=True,
            timeout=max(5, deadline - time.monotonic()),
            check=False,
        )
        print(doctor.stdout, end="")
        check(doctor.returncode == 0, "flask doctor passes on the rehearsed configuration")
        stop(web)
        stop(worker)
        check_request_log(log_path)
        worker_log = (slug / "worker.log").read_text(errors="replace")
        check("Traceback" not in worker_log, "worker ran without errors")
        check(time.monotonic() < deadline, f"finished within {DEADLINE_SECONDS}s")
        say("PASSED")
        return 0
    except (Failed, subprocess.TimeoutExpired, OSError, psycopg.Error) as exc:
        say(f"FAILED: {exc}")
        if web is not None and (slug / "web.log").exists():
            say("last lines of the web process output:")
            print("\n".join((slug / "web.log").read_text(errors="replace").splitlines()[-30:]))
        if worker is not None and (slug / "worker.log").exists():
            say("last lines of the worker output:")
            print("\n".join((slug / "worker.log").read_text(errors="replace").splitlines()[-30:]))
        return 1
    finally:
        mailbox.controller.stop()
        for process in (web, worker):
            if process is not None:
                stop(process)
        try:
            with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            say(f"dropped database {db_name}")
        except psycopg.Error as exc:
            say(f"could not drop {db_name}: {exc}")
        shutil.rmtree(slug, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
