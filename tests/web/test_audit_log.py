"""The audit log reads as sentences: who did what to whom, with links, changes as
"label: old → new" and times with their zone; never an action name, an id or raw JSON."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.factories import UserFactory, moderation_book, moderation_review
from webapp.extensions import db
from webapp.models import AuditEntry, Review
from webapp.services import (
    accounts,
    audit,
    catalog,
    covers,
    merges,
    moderation,
    replies,
    reports,
    staff,
)
from webapp.services.catalog import BookData

pytestmark = pytest.mark.usefixtures("shared_world")

ENTRY = re.compile(r'<li class="audit-entry">(.*?)</li>\s*(?=<li class="audit-entry">|</ol>)', re.S)
# Whole seconds with "Z" for the machine; day, month, year, time and the zone for people.
TIME = re.compile(
    r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">\d{1,2} \w{3} \d{4}, \d\d:\d\d UTC</time>'
)
# Action names, "user 5", JSON, Python's None: what the log used to show.
RAW = re.compile(
    r"\b(?:hide|restore|dismiss|suspend|unsuspend|delete|merge|change|edit|remove|mark)_\w+"
    r"|\buser \d+|\{\"|\bNone\b"
)


def words(html: str) -> str:
    """What a reader hears: tags dropped, visually-hidden words kept, whitespace squeezed."""
    html = re.sub(r'<span aria-hidden="true">.*?</span>', "", html)
    html = re.sub(r"</?(?:a|cite|time)\b[^>]*>", "", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def log_entries(client, query: str = "") -> list[str]:
    response = client.get("/moderation/log" + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    entries = ENTRY.findall(html)
    body = html.split('<section aria-labelledby="log-heading">')[1]
    assert not RAW.search(words(body)), RAW.search(words(body))
    for entry in entries:
        assert TIME.search(entry), entry  # whole seconds with Z; the zone is said
    return entries


def reads_as(told: list[str], expected: list[str]) -> None:
    """Each entry, newest first, begins with its expected sentence."""
    for entry, sentence in zip(told, expected, strict=True):
        assert entry.startswith(sentence), (entry, sentence)


def test_each_action_reads_as_a_sentence(auth, client, users, world):
    mod, admin, author, reader = world.mod, world.admin, world.author, world.reader
    review, book = world.review, world.book
    reports.report_review(reader, review, "spam", "An advert")
    moderation.hide(mod, review, "Personal attack")
    moderation.restore(mod, review)
    reports.report_review(reader, review, "spoilers")
    moderation.dismiss(mod, review)
    moderation.mark_spoiler(mod, review)
    staff.set_role(admin, reader, "moderator")
    other_book = moderation_book("Second Harbour")
    second = moderation_review(author, other_book, body="Another view.")
    staff.suspend(admin, author, 7, "Repeated attacks")
    staff.unsuspend(admin, author)
    reply = replies.post(reader, review, "I disagree.")
    moderation.hide_reply(mod, reply, "Off topic")
    moderation.restore_reply(mod, reply)
    reports.report_user(users("r2"), author, "abuse")
    staff.dismiss_user_reports(mod, author)
    data = BookData(title="The Moderated Book, Revised", authors=["A. Writer"], isbn=None)
    catalog.edit_book(mod, book, data)
    moderation.delete_review(admin, second)

    auth.login("mod")
    told = [words(e) for e in log_entries(client)]
    expected = [
        "boss deleted author’s review of Second Harbour",
        "mod edited the details of The Moderated Book, Revised",
        "mod dismissed 1 report about author",
        "mod showed again reader’s reply to author’s review of The Moderated Book, Revised",
        "mod hid reader’s reply to author’s review of The Moderated Book, Revised: “Off topic”",
        "boss lifted author’s suspension",
        "boss suspended author for 7 days: “Repeated attacks”",
        "boss made reader a moderator",
        "mod marked author’s review of The Moderated Book, Revised as containing spoilers",
        "mod dismissed 1 report on author’s review of The Moderated Book, Revised",
        "mod showed author’s review of The Moderated Book, Revised again",
        "mod hid author’s review of The Moderated Book, Revised: “Personal attack”",
    ]
    reads_as(told, expected)
    assert "Title The Moderated Book changed to The Moderated Book, Revised" in told[1]
    assert "Spoiler no changed to yes" in told[8]
    assert "Role reader changed to moderator" in told[7]
    assert "Hidden no changed to yes" in told[11] and "Reason shown" not in told[11]
    assert "What the review said Rating 4 stars Title My take Text Another view." in told[0]
    # One suspension is one entry; the reviews it hid are listed in it, and given back at its end.
    assert "The 2 reviews it hid author’s review of The Moderated Book, Revised" in told[6]
    assert "a review since deleted" in told[6]  # the second, deleted by the admin later
    assert "The 2 reviews it showed again" in told[5]
    assert "Suspended until none changed to" in told[6] and " UTC" in told[6]


def test_links_and_filters(auth, client, world):
    moderation.hide(world.mod, world.review, "Rude words")
    staff.suspend(world.admin, world.reader, 2, "Spam")
    auth.login("mod")
    entries = log_entries(client)
    hid, suspended = entries[1], entries[0]
    assert f'href="/moderation/users/{world.mod.id}"' in hid  # who did it
    assert f'href="/moderation/users/{world.author.id}"' in hid  # whose review
    assert f'href="/reviews/{world.review.id}"' in hid
    assert f'href="/books/{world.book.id}-the-moderated-book"' in hid
    assert f'href="/moderation/users/{world.reader.id}"' in suspended
    only = log_entries(client, "?action=suspend_user")
    assert len(only) == 1 and "suspended" in words(only[0])
    assert len(log_entries(client, "?actor=mod&target_type=review")) == 1
    page = client.get("/moderation/log").get_data(as_text=True)
    assert '<option value="suspend_user">Suspended a reader</option>' in page


def test_what_is_gone_still_reads_sensibly(auth, client, users, world):
    gone = users("gone_reader")
    book = moderation_book("Lost Shore")
    review = moderation_review(gone, book)
    moderation.hide(world.mod, review, "Spam")
    reports.report_review(world.reader, review, "spam")
    merges.merge_books(world.mod, book, world.book)
    accounts.delete_account(gone, UserFactory.password)
    auth.login("mod")
    told = [words(e) for e in log_entries(client)]
    assert told[0].startswith("mod merged Lost Shore into The Moderated Book")
    assert any(t.startswith("mod hid a deleted reader’s review of a deleted book") for t in told)


def test_a_page_of_the_log_costs_a_fixed_number_of_queries(
    auth, client, users, world, count_queries
):
    auth.login("mod")
    client.get("/moderation/log")

    def cost() -> int:
        with count_queries() as statements:
            assert client.get("/moderation/log").status_code == 200
        return len(statements)

    moderation.hide(world.mod, world.review, "One")
    few = cost()
    for n in range(4):
        reader = users(f"many{n}")
        moderation.hide(world.mod, moderation_review(reader, world.book), f"Reason {n}")
        staff.suspend(world.admin, reader, 3, "Cooling off")
    assert cost() == few
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "suspend_user"))
    assert db.session.get(Review, world.review.id).is_hidden


def test_what_the_system_and_the_catalogue_tools_did(auth, client, users, world):
    """Automatic actions, the command line, covers, merges and replies' reports, in words."""
    from webapp.services.audit import audit
    from webapp.services.hiding import hide_review

    mod, author, reader = world.mod, world.author, world.reader
    reply = replies.post(reader, world.review, "A reply.")
    hide_review(None, world.review, "Hidden until a moderator looks", kind="reports")
    accounts.create_admin("newboss", "newboss@example.com", "a long enough passphrase")
    resting = users("resting")
    staff.suspend(world.admin, resting, 2, "Cooling off")
    resting.suspended_until = resting.suspended_until.replace(year=2000)
    staff.end_expired_suspensions()
    book = world.book
    audit(mod, "change_cover", "book", book.id, before={"cover": None}, after={"cover": "k"})
    book.cover_key = "k"
    covers.remove(mod, book)
    twin = moderation_book("Twin Book")
    moderation_review(author, twin, body="Said twice.")
    replies.report(users("r3"), reply, "spam")
    moderation.dismiss_reply(mod, reply)
    merges.merge_books(mod, twin, book)

    auth.login("mod")
    told = [words(e) for e in log_entries(client)]
    expected = [
        "mod merged Twin Book into The Moderated Book (1 review moved, 1 duplicate dropped)",
        "mod dropped author’s review of The Moderated Book as a duplicate while merging into "
        "The Moderated Book (their newer review stays)",
        "mod dismissed 1 report on a reply since deleted",  # it went with the dropped review
        "mod took down the cover of The Moderated Book",
        "mod gave a cover to The Moderated Book",
        "resting’s suspension ran out",
        "boss suspended resting for 2 days: “Cooling off”",
        "newboss was made an admin on the command line: “flask create-admin”",
        "Colophon (automatically) hid author’s review of The Moderated Book: “Hidden until",
    ]
    reads_as(told, expected)
    assert "changed to" not in told[0]  # the merged book's facts are not a change to "none"


def test_the_log_pages_back_through_older_entries_keeping_its_filters(
    auth, client, users, world, monkeypatch
):
    monkeypatch.setattr(audit.log, "__defaults__", (None, 3))
    readers = [users(f"paged{n}") for n in range(7)]
    for n, reader in enumerate(readers):
        moderation.hide(world.mod, moderation_review(reader, world.book), f"R{n}")
    staff.suspend(world.admin, readers[0], 3, "Cooling off")  # filtered out below
    auth.login("mod")
    query = "?action=hide_review"
    seen, pages, url = [], 0, "/moderation/log" + query
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += [re.search(r"“(R\d)”", words(e)).group(1) for e in ENTRY.findall(html)]
        pages += 1
        older = re.search(r'<a rel="next" href="([^"]+)">Older entries</a>', html)
        url = older.group(1).replace("&amp;", "&") if older else None
        if url:
            assert "action=hide_review" in url
        if pages > 1:
            assert "Newest entries" in html and "older entr" in html
    # Every hide, newest first, each once, over three pages (3 + 3 + 1).
    assert seen[:7] == [f"R{n}" for n in reversed(range(7))] and pages >= 3
    # A cursor from the address bar that is not one starts from the newest.
    first = log_entries(client, query)
    assert log_entries(client, query + "&before=nonsense_12") == first
