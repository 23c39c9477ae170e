"""Goodreads and StoryGraph library exports: recognise the format from the header and turn each
row into an ``ImportRow`` (pure: no database). ``services.imports`` places the rows."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from html import unescape

import nh3

from webapp.errors import ValidationError
from webapp.isbn import to_isbn13

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COPIES = 999

GOODREADS = "goodreads"
STORYGRAPH = "storygraph"
# The columns each format must have (its export has more; extra ones are ignored).
REQUIRED = {
    GOODREADS: ("Book Id", "Title", "Author", "ISBN", "ISBN13", "My Rating", "Exclusive Shelf"),
    STORYGRAPH: ("Title", "Authors", "ISBN/UID", "Read Status", "Star Rating"),
}
NAMES = {GOODREADS: "Goodreads", STORYGRAPH: "StoryGraph"}
STATUS = {
    "read": "read",
    "currently-reading": "reading",
    "to-read": "want_to_read",
    "did-not-finish": "did_not_finish",
    "dnf": "did_not_finish",
    "abandoned": "did_not_finish",
}
FORMATS = {
    "paperback": "paperback",
    "mass market paperback": "paperback",
    "hardcover": "hardcover",
    "kindle edition": "ebook",
    "ebook": "ebook",
    "digital": "ebook",
    "audiobook": "audiobook",
    "audio": "audiobook",
    "audible audio": "audiobook",
    "audio cd": "audiobook",
}


@dataclass
class ImportRow:
    """One row as Colophon understands it; ``notes`` say what was changed or cannot be kept."""

    number: int  # 1 = the first row after the header
    raw: dict[str, str]
    title: str = ""
    authors: list[str] = field(default_factory=list)
    isbn13: str | None = None
    publisher: str | None = None
    pages: int | None = None
    year: int | None = None
    format: str | None = None
    rating: int | None = None  # half-stars
    review: str | None = None  # Markdown
    spoiler: bool = False
    status: str | None = None
    tags: list[str] = field(default_factory=list)
    added_on: date | None = None
    # (status, started, finished) per read; the latest first
    reads: list[tuple[str, date | None, date | None]] = field(default_factory=list)
    private_notes: str | None = None  # the reader's alone
    owned_copies: int = 0
    content_warnings: str | None = None
    notes: list[str] = field(default_factory=list)
    problem: str | None = None  # set: the row cannot be placed at all


def read_csv(data: bytes) -> tuple[str, list[str], list[dict[str, str]]]:
    """(format, header, rows). Raises ValidationError('file') for anything it cannot take."""
    if len(data) > MAX_BYTES:
        raise ValidationError("file", "That file is over 20 MB; split it and upload the parts.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("file", "Save the file as UTF-8 CSV and upload it again.") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    kind = detect(header)
    rows = []
    for row in reader:
        if len(rows) == MAX_ROWS:
            raise ValidationError("file", f"That file has over {MAX_ROWS:,} rows; split it.")
        rows.append({k: (v or "") for k, v in row.items() if k is not None})
    return kind, header, rows


def detect(header: list[str]) -> str:
    for kind, needed in REQUIRED.items():
        if all(name in header for name in needed):
            return kind
    expected = "; ".join(f"{NAMES[k]}: {', '.join(cols)}" for k, cols in REQUIRED.items())
    raise ValidationError("file", f"That is not a library export we know. Expected {expected}.")


def unquote(value: str) -> str:
    """Goodreads writes ISBNs as ="0451524934" (and an empty one as ="")."""
    value = value.strip()
    if value.startswith('="') and value.endswith('"'):
        value = value[2:-1]
    return value.strip()


def parse_isbn(row: ImportRow, *values: str) -> None:
    """The first valid ISBN of ``values``; an invalid one is dropped and noted."""
    for value in values:
        value = unquote(value)
        if not value:
            continue
        try:
            row.isbn13 = to_isbn13(value)
            return
        except ValidationError:
            row.notes.append(f"ISBN {value} is not valid; the book was matched without it.")


def parse_date(text: str) -> date | None:
    text = text.strip()
    match = re.fullmatch(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})", text)
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_int(text: str) -> int | None:
    text = unquote(text)
    return int(text) if text.isdigit() and len(text) < 7 else None


def html_to_markdown(html: str) -> str:
    """Goodreads review HTML → Markdown: paragraphs, line breaks and emphasis kept, the rest
    reduced to text (nh3 parses the HTML; only the tags we translate survive it)."""
    html = nh3.clean(html, tags={"br", "p", "b", "strong", "i", "em"}, attributes={})
    html = re.sub(r"\s*<br\s*/?>\s*<br\s*/?>\s*", "\n\n", html)
    html = re.sub(r"\s*<br\s*/?>\s*", "  \n", html)
    html = re.sub(r"\s*</?p>\s*", "\n\n", html)
    html = re.sub(r"</?(b|strong)>", "**", html)
    html = re.sub(r"</?(i|em)>", "*", html)
    text = unescape(html)
    # Markdown would read a leading "#", ">" or "1." as structure the reader never wrote.
    text = re.sub(r"(?m)^(\s*)([#>]|\d+\.)", r"\1\\\2", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def split_list(text: str) -> list[str]:
    names: dict[str, str] = {}
    for part in text.split(","):
        name = " ".join(part.split())[:50]
        if name:
            names.setdefault(name.lower(), name)
    return list(names.values())


def _reads_for(status, spans, count) -> list[tuple[str, date | None, date | None]]:
    """Reads from dated spans (latest first) and a read count: the latest read ends as the
    shelf says (finished, or abandoned on a did-not-finish shelf), a book being read gets an
    open read, and the count adds finished reads of unknown date."""
    reads = [("finished", start, end) for start, end in spans]
    if status == "did_not_finish":
        first = reads[0] if reads else ("finished", None, None)
        reads[:1] = [("dnf", first[1], first[2])]
    if status in ("read", "did_not_finish") or count:
        reads += [("finished", None, None)] * max(0, max(count, 1) - len(reads))
    if status == "reading":
        reads.insert(0, ("reading", None, None))
    return reads


def _common(row: ImportRow, title: str, authors: list[str]) -> None:
    row.title = " ".join(title.split())
    row.authors = [a for a in dict.fromkeys(" ".join(a.split()) for a in authors) if a]
    if not row.title:
        row.problem = "The row has no title."
    elif not row.authors:
        row.problem = "The row names no author."


def goodreads_row(number: int, raw: dict[str, str]) -> ImportRow:
    row = ImportRow(number=number, raw=raw)
    _common(
        row,
        raw.get("Title", ""),
        [raw.get("Author", "")] + raw.get("Additional Authors", "").split(","),
    )
    parse_isbn(row, raw.get("ISBN13", ""), raw.get("ISBN", ""))
    row.publisher = raw.get("Publisher", "").strip()[:200] or None
    row.pages = parse_int(raw.get("Number of Pages", ""))
    row.year = parse_int(raw.get("Original Publication Year", "")) or parse_int(
        raw.get("Year Published", "")
    )
    row.format = FORMATS.get(raw.get("Binding", "").strip().lower())
    # Goodreads writes whole stars; Colophon's own export adds the half stars ("3.5") in
    # "Colophon Rating" (older ones wrote them in "My Rating").
    for column in ("Colophon Rating", "My Rating"):
        stars = raw.get(column, "").strip()
        if re.fullmatch(r"[1-5](\.[05])?|0\.5", stars):
            row.rating = int(float(stars) * 2)
            break
    if raw.get("My Review", "").strip():
        row.review = html_to_markdown(raw["My Review"])
    row.spoiler = raw.get("Spoiler", "").strip().lower() in ("true", "yes", "1")
    shelf = raw.get("Exclusive Shelf", "").strip()
    row.status = STATUS.get(shelf.lower())
    if shelf and row.status is None:
        row.notes.append(
            f"Shelf “{shelf}” has no Colophon status; it became a tag"
            " (shelved as Want to read unless read)."
        )
    others = [s for s in split_list(raw.get("Bookshelves", "")) if s.lower() not in STATUS]
    if shelf and row.status is None and shelf.lower() not in {t.lower() for t in others}:
        others.append(shelf)
    row.tags = others
    row.added_on = parse_date(raw.get("Date Added", ""))
    count = parse_int(raw.get("Read Count", "")) or 0
    last = parse_date(raw.get("Date Read", ""))
    spans = [(None, last)] if last else []
    row.reads = _reads_for(row.status, spans, count)
    row.private_notes = raw.get("Private Notes", "").strip() or None
    row.owned_copies = min(parse_int(raw.get("Owned Copies", "")) or 0, MAX_COPIES)
    # Not a Goodreads column: Colophon's own export writes it (StoryGraph's warnings).
    row.content_warnings = raw.get("Content Warnings", "").strip() or None
    return row


def storygraph_row(number: int, raw: dict[str, str]) -> ImportRow:
    row = ImportRow(number=number, raw=raw)
    _common(row, raw.get("Title", ""), raw.get("Authors", "").split(","))
    parse_isbn(row, raw.get("ISBN/UID", ""))
    row.format = FORMATS.get(raw.get("Format", "").strip().lower())
    stars_text = raw.get("Star Rating", "").strip()
    if stars_text:
        try:
            stars = float(stars_text)
        except ValueError:
            row.notes.append(f"Rating “{stars_text}” is not a number; not kept.")
        else:
            half = int(stars * 2 + 0.5)  # quarter stars round up to the nearest half
            if 1 <= half <= 10:
                row.rating = half
                if half != stars * 2:
                    row.notes.append(f"Rating {stars_text} rounded to {half / 2:g}.")
    if raw.get("Review", "").strip():
        row.review = html_to_markdown(raw["Review"])
    row.status = STATUS.get(raw.get("Read Status", "").strip().lower())
    row.tags = split_list(raw.get("Tags", "")) + split_list(raw.get("Moods", ""))
    row.added_on = parse_date(raw.get("Date Added", ""))
    spans = []
    for span in filter(None, (s.strip() for s in raw.get("Dates Read", "").split(","))):
        start, _, end = span.partition("-")
        spans.append((parse_date(start), parse_date(end or start)))
    spans.sort(key=lambda s: s[1] or date.min, reverse=True)
    row.reads = _reads_for(row.status, spans, parse_int(raw.get("Read Count", "")) or 0)
    warnings = (raw.get(c, "").strip() for c in ("Content Warnings", "Content Warning Description"))
    row.content_warnings = "\n".join(filter(None, warnings)) or None
    row.owned_copies = 1 if raw.get("Owned?", "").strip().lower() == "yes" else 0
    return row


def parse(data: bytes) -> tuple[str, list[ImportRow]]:
    """The file's format and every row, understood. Raises ValidationError('file')."""
    kind, _, raws = read_csv(data)
    build = goodreads_row if kind == GOODREADS else storygraph_row
    return kind, [build(number, raw) for number, raw in enumerate(raws, start=1)]
