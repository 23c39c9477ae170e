"""Bar charts as geometry for server-rendered SVG (templates/stats/_chart.html).

No script and no ``style=`` (the CSP is strict): sizes are SVG attributes, colours CSS classes.
Every chart carries its rows too, so the page shows the same numbers as a data table.
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.filters import plural

# A narrow drawing (scaled to its box by CSS) keeps 16px text legible on a phone.
WIDTH = 480
COLUMN_HEIGHT = 160  # plot area of a column chart
COLUMN_MAX = 56  # widest column, so two years do not make two slabs
LABEL_SPACE = 26  # below columns, for their labels
VALUE_SPACE = 22  # above the tallest column, for its value
ROW_HEIGHT = 32
ROW_LABEL = 170  # left of the rows, for their labels
ROW_VALUE = 60  # right of the longest row, for its value
LABEL_CHARS = 18  # longer row labels are cut (the table beside has them whole)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float

    @property
    def short_label(self) -> str:
        if len(self.label) <= LABEL_CHARS:
            return self.label
        return self.label[: LABEL_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class Chart:
    id: str
    caption: str
    kind: str  # "columns" or "rows"
    label_header: str
    value_header: str
    width: int
    height: int
    bars: list[Bar]

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)

    @property
    def empty(self) -> bool:
        return self.total == 0

    @property
    def show_values(self) -> bool:
        """Values fit above columns only when they are narrower than a column's slot."""
        if self.kind == "rows" or not self.bars:
            return True
        widest = max(len(f"{bar.value:,}") for bar in self.bars)
        return widest * 9.5 <= self.width / len(self.bars)


def _scale(value: int, largest: int, room: float) -> float:
    return round(value * room / largest, 1) if largest else 0.0


def columns(
    id: str, caption: str, items: list[tuple[str, int]], label_header: str, value_header: str
) -> Chart:
    """Vertical bars, one per item, labels beneath and values on top."""
    largest = max((v for _, v in items), default=0)
    slot = WIDTH / max(1, len(items))
    width = min(COLUMN_MAX, slot * 0.75)
    base = VALUE_SPACE + COLUMN_HEIGHT
    bars = []
    for i, (label, value) in enumerate(items):
        height = _scale(value, largest, COLUMN_HEIGHT)
        middle = round(i * slot + slot / 2, 1)
        bars.append(
            Bar(
                label,
                value,
                round(middle - width / 2, 1),
                base - height,
                round(width, 1),
                height,
                middle,
                base + LABEL_SPACE - 6,
                middle,
                base - height - 5,
            )
        )
    return Chart(
        id, caption, "columns", label_header, value_header, WIDTH, base + LABEL_SPACE, bars
    )


def rows(
    id: str, caption: str, items: list[tuple[str, int]], label_header: str, value_header: str
) -> Chart:
    """Horizontal bars, labels at the left and values after each bar."""
    largest = max((v for _, v in items), default=0)
    room = WIDTH - ROW_LABEL - ROW_VALUE
    bars = []
    for i, (label, value) in enumerate(items):
        top = i * ROW_HEIGHT
        length = _scale(value, largest, room)
        middle = top + ROW_HEIGHT / 2 + 5
        bars.append(
            Bar(
                label,
                value,
                ROW_LABEL,
                top + 5,
                length,
                ROW_HEIGHT - 10,
                ROW_LABEL - 8,
                middle,
                ROW_LABEL + length + 6,
                middle,
            )
        )
    return Chart(
        id,
        caption,
        "rows",
        label_header,
        value_header,
        WIDTH,
        max(ROW_HEIGHT, len(items) * ROW_HEIGHT),
        bars,
    )


def for_stats(stats, year: int) -> list[Chart]:
    """The stats page's charts, in reading order."""
    months = [(m, n) for m, n, _ in stats.months]
    pages = [(m, p) for m, _, p in stats.months]
    stars = [(plural(s, "star"), n) for s, n in stats.ratings]
    authors = [(name, n) for _, name, n in stats.authors]
    years = [(str(y), n) for y, n, _ in stats.years]
    return [
        columns(
            "books-per-month", f"Books finished each month of {year}", months, "Month", "Books"
        ),
        columns("pages-per-month", f"Pages read each month of {year}", pages, "Month", "Pages"),
        rows("ratings", f"Ratings you gave the books finished in {year}", stars, "Rating", "Books"),
        rows("authors", f"Most-read authors of {year}", authors, "Author", "Books"),
        rows(
            "formats", f"Formats of the books finished in {year}", stats.formats, "Format", "Books"
        ),
        columns("years", "Books finished, year over year", years, "Year", "Books"),
    ]
