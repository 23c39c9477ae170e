"""In-process CPU per request and a pyinstrument profile for each anonymous GET scenario.

    python -m bench.profile --database-url URL [--scenarios home,book] [--n 100] [--out DIR]

wrk numbers move with whoever else uses the machine; process CPU time per request (Flask test
client, same database, production settings) is the steadier number for before/after
comparisons of one change. Profiles go to ``--out`` (default: a temporary folder) as
``<scenario>.txt``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from bench import run

GET_SCENARIOS = ["home", "books_top", "search", "book", "more_reviews", "profile"]


def cpu_ms(client, req: dict, *, n: int, reps: int = 3) -> list[float]:
    samples = []
    for _ in range(reps):
        start = time.process_time()
        for _ in range(n):
            client.get(req["path"], headers=req.get("headers", {}))
        samples.append((time.process_time() - start) * 1000 / n)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--scenarios", default=",".join(GET_SCENARIOS))
    parser.add_argument("--n", type=int, default=50, help="requests per sample")
    parser.add_argument("--out", default=None, help="folder for pyinstrument profiles")
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args(argv)
    secret = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
    app = run.make_app(args.database_url, secret)
    info = run.targets(app)
    client = app.test_client()
    requests = run.scenario_requests(client, info)
    out = Path(args.out or tempfile.mkdtemp(prefix="colophon-profile-"))
    out.mkdir(parents=True, exist_ok=True)
    for name in args.scenarios.split(","):
        req = requests[name]
        status = client.get(req["path"], headers=req.get("headers", {})).status_code
        for _ in range(10):
            client.get(req["path"], headers=req.get("headers", {}))
        n = max(1, args.n // 10) if name == "profile" else args.n
        samples = cpu_ms(client, req, n=n)
        line = f"{name:13} {status} {statistics.median(samples):7.2f} ms CPU/request"
        if not args.no_profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(n):
                client.get(req["path"], headers=req.get("headers", {}))
            profiler.stop()
            target = out / f"{name}.txt"
            target.write_text(profiler.output_text(unicode=False, color=False))
            line += f"  profile: {target}"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
