"""How the book page and search grow with the data: 10k, 100k and 1M reviews.

    python -m bench.growth [--dir instance/bench] [--duration 5] [--runs 3]

Generates one SQLite database per size (kept and reused by later runs: 10 reviews per book,
2 readers per book, as in the default data set), then measures the most-reviewed book's page
and the search against each, with the hello ceiling alongside so the sizes can be compared
as ratios even on a noisy machine.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench import generate, run

SIZES = [10_000, 100_000, 1_000_000]
MEASURED = ["book", "search"]


def database_for(directory: Path, reviews: int) -> str:
    path = directory / f"growth-{reviews}.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        generate.generate(url, books=reviews // 10, readers=reviews // 5, reviews=reviews)
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.growth")
    parser.add_argument("--dir", default=str(run.ROOT / "instance" / "bench"))
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    args = parser.parse_args(argv)
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    rows = {}
    for size in (int(s) for s in args.sizes.split(",")):
        url = database_for(directory, size)
        report = run.measure(
            url,
            label=f"growth-{size}",
            scenarios=["hello", *MEASURED],
            seconds=args.duration,
            runs=args.runs,
            profile=False,
        )
        rows[size] = {
            "top_book_reviews": report["data"]["top_book"]["reviews"],
            "hello_rps": report["scenarios"]["hello"]["rps"],
        } | {
            name: {
                k: report["scenarios"][name].get(k)
                for k in ("available", "rps", "ratio_to_hello", "p50_ms", "p99_ms", "queries")
            }
            for name in MEASURED
        }
    smallest, largest = min(rows), max(rows)
    growth = {}
    for name in MEASURED:
        a, b = rows[smallest][name], rows[largest][name]
        if a.get("available") and b.get("available"):
            # Cost per request relative to the ceiling measured in the same run.
            growth[name] = round(a["ratio_to_hello"] / b["ratio_to_hello"], 2)
    out = run.RESULTS / f"{run.datetime.now(run.UTC):%Y-%m-%d}-growth-sqlite.json"
    out.write_text(json.dumps({"sizes": rows, "cost_growth": growth}, indent=2) + "\n")
    print("| reviews | top book reviews | " + " | ".join(
        f"{n} req/s (× hello) | {n} p50 ms" for n in MEASURED) + " |")  # fmt: skip
    for size, r in rows.items():
        cells = []
        for name in MEASURED:
            m = r[name]
            if m.get("available"):
                cells += [f"{m['rps']:,.0f} ({m['ratio_to_hello']})", f"{m['p50_ms']}"]
            else:
                cells += ["not available", ""]
        print(f"| {size:,} | {r['top_book_reviews']:,} | " + " | ".join(cells) + " |")
    print(f"cost growth {smallest:,} → {largest:,} reviews: {growth}")
    print(f"results: {out.relative_to(run.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
