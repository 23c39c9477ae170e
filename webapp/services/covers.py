"""Generated placeholder covers: a small SVG from the title and first author."""

from __future__ import annotations

import hashlib
import textwrap
from xml.sax.saxutils import escape

# Dark backgrounds with light text, each pair above 7:1 contrast.
PALETTE = ["#7a2e1d", "#1d4e7a", "#2e5e3a", "#5b2e7a", "#6b4a12", "#243b4a", "#7a1d4e"]


def placeholder_svg(book) -> str:
    digest = int(hashlib.sha256(f"{book.id}:{book.title}".encode()).hexdigest(), 16)
    background = PALETTE[digest % len(PALETTE)]
    lines = textwrap.wrap(book.title, width=14)[:5]
    author = book.authors[0].name if book.authors else ""
    title_lines = "".join(
        f'<tspan x="100" dy="{0 if i == 0 else 26}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 300" role="img" '
        f'aria-label="{escape(book.title, {chr(34): "&quot;"})}">'
        f'<rect width="200" height="300" fill="{background}"/>'
        '<rect x="12" y="12" width="176" height="276" fill="none" stroke="#fdf6e9" '
        'stroke-opacity=".5"/>'
        '<text x="100" y="96" text-anchor="middle" fill="#fdf6e9" '
        'font-family="Georgia, serif" font-size="22" font-weight="bold">'
        f"{title_lines}</text>"
        '<text x="100" y="262" text-anchor="middle" fill="#fdf6e9" '
        f'font-family="Georgia, serif" font-size="14">{escape(author[:28])}</text>'
        "</svg>"
    )
