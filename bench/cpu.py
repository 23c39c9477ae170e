"""In-process CPU time per request for the most-reviewed book's page, per growth database.

    python -m bench.cpu [--dir instance/bench]

Process CPU time is far steadier than wrk throughput on a shared machine, so this is the
number to compare across data sizes (the wrk runs of bench.growth move with the neighbours).
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

from bench import inproc, run


def book_page_cpu_ms(database_url: str, *, reps: int = 5, n: int = 100) -> tuple[dict, list]:
    os.environ.setdefault("SECRET_KEY", "bench-cpu-only")
    app = run.make_app(database_url, os.environ["SECRET_KEY"])
    info = run.targets(app)
    client = app.test_client()
    path = run.canonical(client, f"/books/{info['top_book']['id']}")
    # Compressed and closed, as served (see bench/inproc.py).
    return info, inproc.cpu_ms(client, {"path": path}, n=n, reps=reps, warmup=50)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu")
    parser.add_argument("--dir", default=str(run.ROOT / "instance" / "bench"))
    args = parser.parse_args(argv)
    for path in sorted(Path(args.dir).glob("growth-*.db"), key=lambda p: int(p.stem[7:])):
        info, samples = book_page_cpu_ms(f"sqlite:///{path}")
        print(
            f"{info['counts']['reviews']:>9,} reviews, top book {info['top_book']['reviews']:,}: "
            f"book page {statistics.median(samples):.2f} ms CPU/request "
            f"(5 × 100, {[round(s, 2) for s in samples]})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
