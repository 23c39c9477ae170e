"""Sign-in limits stop guessing without locking the owner out, and survive a dead Redis."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time

import pytest

from tests.conftest import Browserless, require
from tests.factories import make_book

PW = "correct horse battery"
WRONG = "not the password"


def from_address(app, address: str) -> Browserless:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Browserless(client)


def login(web: Browserless, name: str, password: str, **extra):
    return web.post("/login", {"login": name, "password": password}, **extra)


@pytest.fixture
def limited(make_app):
    return make_app(
        LOGIN_LIMIT_PER_IP="100 per minute",
        LOGIN_FAILURES_PER_IP="6 per minute",
        LOGIN_LIMIT_PER_ACCOUNT="4 per minute",
        LOGIN_FAILURES_PER_ACCOUNT_IP="2 per minute",
        LOGIN_SLOWDOWN_SECONDS=0,
    )


def test_failures_count_per_account_whether_username_or_email_was_typed(limited, users):
    with limited.app_context():
        users("owner", email="owner@example.com")
    guesser = from_address(limited, "203.0.113.7")
    for name in ("owner", "OWNER", "owner@example.com", "Owner@Example.com"):
        assert login(guesser, name, WRONG).status_code == 422
    # The account is over its limit and this address has been failing on it: refused,
    # even with the right password, and told when to come back.
    refused = login(guesser, "owner@example.com", PW)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many attempts" in refused.text

    # The owner, from an address that has not been failing, still signs in.
    owner = from_address(limited, "198.51.100.20")
    assert login(owner, "owner", PW).status_code == 303
    assert owner.client.get("/account").status_code == 200


def test_a_fresh_address_is_checked_but_may_not_keep_guessing(limited, users):
    with limited.app_context():
        users("owner")
    guessers = [from_address(limited, f"203.0.113.{n}") for n in range(2)]
    for web in guessers:  # two addresses, two failures each: the account is at its limit
        assert [login(web, "owner", WRONG).status_code for _ in range(2)] == [422, 422]
    for web in guessers:
        assert login(web, "owner", PW).status_code == 429
    fresh = from_address(limited, "192.0.2.50")
    assert [login(fresh, "owner", WRONG).status_code for _ in range(3)] == [422, 422, 429]


def test_an_address_that_keeps_failing_is_refused_on_every_account(limited, users):
    with limited.app_context():
        users("owner")
    web = from_address(limited, "203.0.113.9")
    for n in range(6):
        assert login(web, f"nobody{n}", WRONG).status_code == 422
    response = login(web, "owner", PW, htmx=True)
    assert response.status_code == 429 and response.headers["HX-Retarget"] == "#flash"
    assert "Retry-After" in response.headers
    # Another address is unaffected.
    assert login(from_address(limited, "198.51.100.1"), "owner", PW).status_code == 303


def test_successful_sign_ins_do_not_count(limited, users):
    with limited.app_context():
        users("owner")
    web = from_address(limited, "198.51.100.2")
    for _ in range(5):
        assert login(web, "owner", PW).status_code == 303
        web.post("/logout")


# The limiter's Redis goes away -----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of our own on a free port (never the shared one), stopped at will."""

    def __init__(self, binary: str) -> None:
        self.binary, self.port, self.process = binary, _free_port(), None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture
def redis_server():
    binary = shutil.which("redis-server")
    require(binary is not None, "redis-server is not installed")
    server = RedisServer(binary)
    server.start()
    yield server
    server.stop()


def test_a_dead_limiter_storage_falls_back_to_memory_never_a_500(
    redis_server, make_app, users, caplog
):
    app = make_app(
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{redis_server.port}/0",
        LOGIN_FAILURES_PER_IP="3 per minute",
        POST_LIMIT_PER_USER="100 per minute",
    )
    with app.app_context():
        users("owner")
        book_id = make_book("Dune").id
    web = from_address(app, "198.51.100.3")
    assert app.test_client().get("/healthz").json["ratelimit"] == {
        "storage": "redis",
        "status": "ok",
    }
    assert login(web, "owner", WRONG).status_code == 422

    redis_server.stop()
    caplog.set_level(logging.INFO)
    assert login(web, "owner", WRONG).status_code == 422
    assert login(web, "owner", PW).status_code == 303
    review = web.post(f"/books/{book_id}/review", {"rating": "4", "body": "Still here."})
    assert review.status_code == 303
    signup = from_address(app, "198.51.100.4").post(
        "/signup", {"username": "newbie", "email": "n@example.com", "password": "a fine passphrase"}
    )
    assert signup.status_code == 303
    guesser = from_address(app, "203.0.113.66")
    statuses = [login(guesser, f"x{n}", WRONG).status_code for n in range(4)]
    assert statuses == [422, 422, 422, 429]  # still limited, in this process's memory
    health = app.test_client().get("/healthz")
    assert health.status_code == 200 and health.json["ratelimit"]["status"] == "fallback"
    assert "in memory" in health.json["ratelimit"]["detail"]
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "unreachable" in logged and "memory" in logged

    redis_server.start()  # back: health says so (the limiter re-checks with a back-off)
    assert app.test_client().get("/healthz").json["ratelimit"]["status"] == "ok"


def test_switched_off_limits_count_nothing_and_warn_of_nothing(make_app, users, caplog):
    app = make_app(RATELIMIT_ENABLED=False, LOGIN_FAILURES_PER_IP="1 per minute")
    with app.app_context():
        users("owner")
    web = from_address(app, "203.0.113.1")
    assert [login(web, "owner", WRONG).status_code for _ in range(3)] == [422, 422, 422]
    assert login(web, "owner", PW).status_code == 303
    assert "unreachable" not in caplog.text
