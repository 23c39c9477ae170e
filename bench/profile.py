"""In-process CPU per request for each scenario, with ratios to hello measured in the same run.

    python -m bench.profile --database-url URL [--scenarios home,book,book_signed_in] [--n 100]
                            [--out DIR] [--profile cprofile|pyinstrument|none]

wrk numbers move with whoever else uses the machine; process CPU time per request (Flask test
client through the whole WSGI stack, production settings, ``Accept-Encoding: br, gzip`` or
``--accept-encoding``'s, responses closed so the request log runs; see bench/inproc.py) is the
steadier number for before/after comparisons. ``book_signed_in`` is the same book page for a
reader with a steady-state cookie; the run prints its ratio to the visitor page. Every page is
measured twice: as served (the page cache in front of Flask answers a visitor's repeats, the
reader cache a signed-in reader's: webapp/reader_cache.py) and cold (``PAGE_CACHE=off``: every
request rendered, the number to compare before/after a render change). Profiles (cold) go to
``--out`` (default: a temporary folder) as ``<scenario>.txt``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
from pathlib import Path

from bench import inproc, run
from bench.generate import BENCH_PASSWORD

GET_SCENARIOS = [
    "home",
    "books",
    "books_top",
    "search",
    "book",
    "book_signed_in",
    "more_reviews",
    "profile",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--scenarios", default=",".join(GET_SCENARIOS))
    parser.add_argument("--n", type=int, default=50, help="requests per sample")
    parser.add_argument("--reps", type=int, default=3, help="samples per scenario (median)")
    parser.add_argument("--out", default=None, help="folder for the profiles")
    parser.add_argument(
        "--profile", choices=["cprofile", "pyinstrument", "none"], default="cprofile"
    )
    parser.add_argument(
        "--accept-encoding",
        default=inproc.ACCEPT["Accept-Encoding"],
        help='what the client accepts: "br, gzip" (the default, as in earlier runs), '
        '"gzip, deflate, br, zstd" (Chrome, Edge, Firefox)',
    )
    args = parser.parse_args(argv)
    secret = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
    app = run.make_app(args.database_url, secret)
    cold_app = run.make_app(args.database_url, secret, page_cache="off")
    info = run.targets(app)
    visitor, cold = app.test_client(), cold_app.test_client()
    requests = run.scenario_requests(visitor, info)
    reader = inproc.signed_in(cold_app, info["signed_in_reader"], BENCH_PASSWORD)
    # The same reader on the app with its caches: repeats come from their kept copy.
    served_reader = inproc.signed_in(app, info["signed_in_reader"], BENCH_PASSWORD)
    out = Path(args.out or tempfile.mkdtemp(prefix="colophon-profile-"))
    out.mkdir(parents=True, exist_ok=True)

    hello = statistics.median(inproc.hello_cpu_ms(n=args.n * 10, reps=args.reps))
    print(f"{'hello':15} {hello:7.3f} ms CPU/request", flush=True)
    print(f"{'':15} {'cold ms':>8} {'× hello':>8} {'served ms':>10} {'× hello':>8}", flush=True)
    medians: dict[str, float] = {}
    for name in args.scenarios.split(","):
        req = requests[name]
        req = {
            **req,
            "headers": {"Accept-Encoding": args.accept_encoding, **req.get("headers", {})},
        }
        signed_in = name.endswith("_signed_in")
        n = max(1, args.n // 10) if name == "profile" else args.n

        def ms(client, req=req, n=n) -> float:
            return statistics.median(inproc.cpu_ms(client, req, n=n, reps=args.reps))

        medians[name] = cold_ms = ms(reader if signed_in else cold)
        line = f"{name:15} {cold_ms:8.2f} {hello / cold_ms:8.3f}"
        served = ms(served_reader if signed_in else visitor)
        line += f" {served:10.2f} {hello / served:8.3f}"
        if args.profile != "none":
            target = out / f"{name}.txt"
            target.write_text(profile_text(args.profile, reader if signed_in else cold, req, n))
            line += f"  profile: {target}"
        print(line, flush=True)
    if "book" in medians and "book_signed_in" in medians:
        ratio = medians["book_signed_in"] / medians["book"]
        print(f"signed-in / cold visitor book page: {ratio:.2f}×", flush=True)
    return 0


def profile_text(kind: str, client, req: dict, n: int) -> str:
    if kind == "cprofile":
        return inproc.cprofile(client, req, n=n)
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    with inproc.quiet_stdout():
        profiler.start()
        for _ in range(n):
            inproc.call(client, req)
        profiler.stop()
    return profiler.output_text(unicode=False, color=False)


if __name__ == "__main__":
    raise SystemExit(main())
