"""requirements.txt (what the PaaS installs) pins every runtime dependency exactly, with hashes.

Whether it is *current* needs PyPI: `make lock-check` (run by .ci/run) regenerates and diffs.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==[^\s;]+( ;[^\\]+)? \\$")


def _normal(name: str) -> str:
    """PEP 503: "backports.zstd", "backports_zstd" and "Backports-Zstd" are one project."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _name(requirement: str) -> str:
    return _normal(re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0])


def test_lock_pins_every_dependency_with_hashes():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    entries: dict[str, list[str]] = {}
    current = None
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("    --hash=sha256:"):
            entries[current].append(line)
            continue
        match = PIN.match(line)
        assert match, f"not an exact pin: {line!r}"
        current = _normal(match.group(1))
        entries[current] = []
    assert all(entries.values()), "every pin carries its hashes"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert {_name(d) for d in project["dependencies"]} <= set(entries)
