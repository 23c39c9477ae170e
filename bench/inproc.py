"""In-process requests through the whole WSGI stack, made the way a browser and a server would.

The Flask test client alone flatters the app: it sends no ``Accept-Encoding`` (so nothing is
compressed) and never closes the response (so the request log, which writes its line when the
body is closed, never runs). ``call`` sends ``Accept-Encoding: br, gzip``, reads the body,
closes the response and checks the status: a page answering anything but what the scenario
expects (a 304 run answering 200, a POST bounced to ``/login``) raises ``BenchError``.

``signed_in`` returns a client whose cookie is in its steady state: signed in, the login
flash already shown, so what is measured is the page a reader sees on their next visit.
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import os
import pstats
import sys
import time
from collections.abc import Iterator

ACCEPT = {"Accept-Encoding": "br, gzip"}


class BenchError(RuntimeError):
    """A scenario answered something other than what it measures."""


def call(client, req: dict):
    """One request of scenario ``req`` (path, method, headers, data, expect); body read, closed."""
    headers = ACCEPT | req.get("headers", {})
    response = client.open(
        req["path"], method=req.get("method", "GET"), headers=headers, data=req.get("data")
    )
    response.get_data()
    response.close()  # the request log and every other close hook run here, as on a server
    check(req, response.status_code, response.headers.get("Location", ""))
    return response


def check(req: dict, status: int, location: str = "") -> None:
    expected = req.get("expect", 200)
    if status != expected:
        method = req.get("method", "GET")
        raise BenchError(f"{method} {req['path']} answered {status}, not {expected}")
    if "/login" in location or not location.startswith(req.get("location", "")):
        raise BenchError(f"{req['path']} was sent to {location}")


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """The request log writes a JSON line per request to stdout; send it where gunicorn's goes."""
    with open(os.devnull, "w") as devnull:  # noqa: PTH123
        saved, sys.stdout = sys.stdout, devnull
        try:
            yield
        finally:
            sys.stdout = saved


def cpu_ms(client, req: dict, *, n: int, reps: int = 3, warmup: int = 10) -> list[float]:
    """Process CPU milliseconds per request, ``reps`` samples of ``n`` requests each."""
    samples = []
    with quiet_stdout():
        for _ in range(warmup):
            call(client, req)
        for _ in range(reps):
            start = time.process_time()
            for _ in range(n):
                call(client, req)
            samples.append((time.process_time() - start) * 1000 / n)
    return samples


def cprofile(client, req: dict, *, n: int, lines: int = 45) -> str:
    """cProfile of ``n`` requests through the WSGI stack: the top functions by cumulative time,
    then by own time."""
    profiler = cProfile.Profile()
    with quiet_stdout():
        call(client, req)
        profiler.enable()
        for _ in range(n):
            call(client, req)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(lines)
    stats.sort_stats("tottime").print_stats(lines)
    return out.getvalue()


def signed_in(app, username: str, password: str):
    """A test client signed in as ``username`` whose cookie no longer carries the login flash."""
    from bench.run import csrf_from

    client = app.test_client()
    with quiet_stdout():
        token = csrf_from(client.get("/login").get_data(as_text=True))
        response = client.post(
            "/login", data={"login": username, "password": password, "csrf_token": token}
        )
        if response.status_code != 303 or "/login" in response.headers.get("Location", ""):
            raise BenchError(f"signing in as {username} answered {response.status_code}")
        client.get("/").close()  # shows (and so consumes) the "Signed in" flash
        page = client.get("/").get_data(as_text=True)
    if 'class="flash flash-' in page:
        raise BenchError("the signed-in cookie still carries a flash message")
    return client


def hello_cpu_ms(*, n: int, reps: int = 3) -> list[float]:
    """The ceiling in the same run: bench/hello.py's one route, through the same client."""
    from bench.hello import app

    return cpu_ms(app.test_client(), {"path": "/"}, n=n, reps=reps)
