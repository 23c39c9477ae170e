"""The audit log in words: who did what to whom, with links, for staff who are people.

An entry keeps machine facts (an action name, ids, JSON snapshots); this turns one into a
sentence ("mod_anna hid ben_bookworm’s review of *Dune*"), the changes as "label: old → new",
what a deleted review said, and the reviews a suspension hid. Rows that are gone since are
named from the entry's own snapshot, or as "a deleted reader"; an id is never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from markupsafe import Markup

from webapp.filters import datetime_, plural
from webapp.languages import language_name
from webapp.models import AuditEntry
from webapp.models.user import SUSPENDED_FOREVER
from webapp.services.audit import Cast
from webapp.web import book_url

# What the log's "Action" filter calls each action.
ACTION_LABELS = {
    "hide_review": "Hid a review",
    "restore_review": "Restored a review",
    "mark_spoiler": "Marked a review as a spoiler",
    "delete_review": "Deleted a review",
    "dismiss_reports": "Dismissed reports",
    "hide_reply": "Hid a reply",
    "restore_reply": "Restored a reply",
    "suspend_user": "Suspended a reader",
    "unsuspend_user": "Ended a suspension",
    "change_role": "Changed a role",
    "edit_book": "Edited a book",
    "merge_books": "Merged books",
    "merge_drop_review": "Dropped a duplicate review",
    "change_cover": "Changed a cover",
    "remove_cover": "Removed a cover",
}

# The fields a change shows, by their label; other keys (ids, counts) feed the sentence.
FIELD_LABELS = {
    "title": "Title",
    "subtitle": "Subtitle",
    "other_titles": "Other titles",
    "authors": "Authors",
    "isbn13": "ISBN",
    "publisher": "Publisher",
    "year": "Year",
    "pages": "Pages",
    "language": "Language",
    "description": "Description",
    "rating": "Rating",
    "body": "Text",
    "spoiler": "Spoiler",
    "hidden": "Hidden",
    "hidden_reason": "Reason shown",
    "role": "Role",
    "suspended_until": "Suspended until",
    "suspension_reason": "Reason",
}
LONG = 300  # characters of a long text shown in a change


@dataclass
class Told:
    """One entry as staff read it."""

    entry: AuditEntry
    sentence: Markup
    reason: str | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # label, old, new
    kept: list[tuple[str, str]] = field(default_factory=list)  # what a deleted review said
    listed: list[Markup] = field(default_factory=list)  # reviews a suspension hid or restored
    listed_label: str = ""


def _link(url: str, text: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url, text)


class Names:
    """Readers, books, reviews and replies as words with links (``cast`` holds the rows)."""

    def __init__(self, cast: Cast) -> None:
        self.cast = cast

    def reader(self, user_id) -> Markup:
        user = self.cast.users.get(user_id)
        if user is None:
            return Markup("a deleted reader")
        return _link(url_for("moderation.user", user_id=user.id), user.username)

    def book(self, book_id, title: str | None = None) -> Markup:
        book = self.cast.books.get(book_id)
        if book is not None:
            return Markup("<cite>{}</cite>").format(_link(book_url(book), book.title))
        return Markup("<cite>{}</cite>").format(title) if title else Markup("a deleted book")

    def review(self, review_id, snapshot: dict | None) -> Markup:
        review, snapshot = self.cast.reviews.get(review_id), snapshot or {}
        if review is None and not snapshot:
            return Markup("a review since deleted")
        user_id = review.user_id if review else snapshot.get("user_id")
        book_id = review.book_id if review else snapshot.get("book_id")
        word = _link(url_for("reviews.show", review_id=review_id), "review") if review else "review"
        return Markup("{}’s {} of {}").format(self.reader(user_id), word, self.book(book_id))

    def reply(self, reply_id) -> Markup:
        reply = self.cast.replies.get(reply_id)
        if reply is None:
            return Markup("a reply since deleted")
        url = url_for("reviews.show", review_id=reply.review_id, _anchor=f"reply-{reply.id}")
        on = self.review(reply.review_id, None)
        return Markup("{}’s {} to {}").format(self.reader(reply.user_id), _link(url, "reply"), on)

    def actor(self, entry: AuditEntry) -> Markup:
        if entry.actor_id is not None:
            return self.reader(entry.actor_id)
        if entry.actor_name == "system":
            return Markup("Colophon (automatically)")
        return Markup("{} (account since deleted)").format(entry.actor_name)

    def target(self, entry: AuditEntry) -> Markup:
        snapshot = entry.before or entry.after
        if entry.target_type == "review":
            return self.review(entry.target_id, snapshot)
        if entry.target_type == "reply":
            return self.reply(entry.target_id)
        if entry.target_type == "book":
            return self.book(entry.target_id, (entry.before or {}).get("title"))
        return self.reader(entry.target_id)


# --- sentences, one per action: (entry, names, who did it) → words ---------------------------

Sentence = Callable[[AuditEntry, Names, Markup], Markup]


def _says(template: str) -> Sentence:
    """A sentence of the form ``template`` with {who} and {target} filled in."""
    words = Markup(template)  # noqa: S704 (our own constant; the names are escaped by format)
    return lambda entry, names, who: words.format(who=who, target=names.target(entry))


def _dismissed(entry: AuditEntry, names: Names, who: Markup) -> Markup:
    count = plural((entry.after or {}).get("reports", 0), "report")
    about = "about" if entry.target_type == "user" else "on"
    return Markup("{} dismissed {} {} {}").format(who, count, about, names.target(entry))


def _suspended(entry: AuditEntry, names: Names, who: Markup) -> Markup:
    until = _when((entry.after or {}).get("suspended_until"))
    if until is None or until >= SUSPENDED_FOREVER:
        span = "indefinitely"
    else:
        days = round((until - entry.created_at).total_seconds() / 86400)
        span = "for " + plural(max(1, days), "day")
    return Markup("{} suspended {} {}").format(who, names.target(entry), span)


def _unsuspended(entry: AuditEntry, names: Names, who: Markup) -> Markup:
    if entry.actor_id is None and entry.actor_name == "system":
        return Markup("{}’s suspension ran out").format(names.target(entry))
    return Markup("{} lifted {}’s suspension").format(who, names.target(entry))


def _role(entry: AuditEntry, names: Names, who: Markup) -> Markup:
    role = (entry.after or {}).get("role", "")
    article = "an" if role[:1] in ("a", "e", "i", "o", "u") else "a"
    if entry.actor_id is None and entry.actor_name == "system":
        return Markup("{} was made {} {} on the command line").format(
            names.target(entry), article, role
        )
    return Markup("{} made {} {} {}").format(who, names.target(entry), article, role)


def _merged(entry: AuditEntry, names: Names, who: Markup) -> Markup:
    after = entry.after or {}
    into = names.book(after.get("merged_into"))
    moved = plural(after.get("reviews_moved", 0), "review")
    dropped = plural(after.get("conflicts", 0), "duplicate")
    return Markup("{} merged {} into {} ({} moved, {} dropped)").format(
        who, names.target(entry), into, moved, dropped
    )


def _dropped(entry: AuditEntry, names: Names, who: Markup) -> Markup:
    into = (entry.after or {}).get("merged_into")
    if into is None:
        return Markup("{} dropped {} while merging books").format(who, names.target(entry))
    words = Markup("{} dropped {} as a duplicate while merging into {} (their newer review stays)")
    return words.format(who, names.target(entry), names.book(into))


def _cover(entry: AuditEntry, names: Names, who: Markup) -> Markup:
    verb = "replaced the cover of" if (entry.before or {}).get("cover") else "gave a cover to"
    return Markup("{} {} {}").format(who, verb, names.target(entry))


def _restored_reply(entry: AuditEntry, names: Names, who: Markup) -> Markup:
    held = (entry.before or {}).get("kind") == "held"
    verb = "let through" if held else "showed again"
    return Markup("{} {} {}").format(who, verb, names.target(entry))


SENTENCES: dict[str, Sentence] = {
    "hide_review": _says("{who} hid {target}"),
    "restore_review": _says("{who} showed {target} again"),
    "mark_spoiler": _says("{who} marked {target} as containing spoilers"),
    "delete_review": _says("{who} deleted {target}"),
    "dismiss_reports": _dismissed,
    "hide_reply": _says("{who} hid {target}"),
    "restore_reply": _restored_reply,
    "suspend_user": _suspended,
    "unsuspend_user": _unsuspended,
    "change_role": _role,
    "edit_book": _says("{who} edited the details of {target}"),
    "merge_books": _merged,
    "merge_drop_review": _dropped,
    "change_cover": _cover,
    "remove_cover": _says("{who} took down the cover of {target}"),
}


def _unknown(entry: AuditEntry, names: Names, who: Markup) -> Markup:
    words = entry.action.replace("_", " ")
    return Markup("{}: {} ({})").format(who, words, names.target(entry))


# --- values --------------------------------------------------------------------------------


def _when(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def value_words(key: str, value) -> str:
    """A stored value as staff read it: yes/no, stars, dates with their zone, lists joined."""
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "rating" and isinstance(value, int):
        return f"{value / 2:g} stars"
    if key == "suspended_until":
        when = _when(value)
        if when is not None:
            return "indefinitely" if when >= SUSPENDED_FOREVER else datetime_(when)
    if key == "language":
        return language_name(str(value))
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= LONG else text[: LONG - 1].rstrip() + "…"


def changes(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(label, old, new) for each shown field the entry changed; the reason is said once."""
    before, after = entry.before, entry.after
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    found = []
    for key, label in FIELD_LABELS.items():
        old, new = before.get(key), after.get(key)
        # A key missing from ``after`` was not recorded there (a merge keeps the old book's
        # facts in ``before`` only): that is no change to "none".
        if key in after and old != new and not (new and new == entry.reason):
            found.append((label, value_words(key, old), value_words(key, new)))
    return found


def _kept(entry: AuditEntry) -> list[tuple[str, str]]:
    """What a review said when it was deleted (the log keeps its text)."""
    if entry.target_type != "review" or entry.after or not isinstance(entry.before, dict):
        return []
    shown = ("rating", "title", "body")
    return [(FIELD_LABELS[k], value_words(k, entry.before.get(k))) for k in shown]


def _listed(entry: AuditEntry, names: Names) -> tuple[list[Markup], str]:
    after = entry.after if isinstance(entry.after, dict) else {}
    for key, done in (("hidden_reviews", "it hid"), ("restored_reviews", "it showed again")):
        ids = [i for i in after.get(key) or [] if isinstance(i, int)]
        if ids:
            words = [names.review(i, None) for i in ids]
            return words, f"The {plural(len(ids), 'review')} {done}"
    return [], ""


def tell(entry: AuditEntry, names: Names) -> Told:
    """One entry in words."""
    sentence = SENTENCES.get(entry.action, _unknown)(entry, names, names.actor(entry))
    listed, listed_label = _listed(entry, names)
    return Told(
        entry,
        sentence,
        reason=entry.reason,
        changes=changes(entry),
        kept=_kept(entry),
        listed=listed,
        listed_label=listed_label,
    )


def tell_all(entries: list[AuditEntry], cast: Cast) -> list[Told]:
    names = Names(cast)
    return [tell(entry, names) for entry in entries]


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action.replace("_", " ").capitalize())
