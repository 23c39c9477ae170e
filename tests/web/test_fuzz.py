"""No input gets a 5xx: Hypothesis walks every rule in the URL map as a visitor, a reader and
staff, with hostile path values, query strings, form fields and htmx headers, and checks that
no other reader's data changed.

Each example is a round: one request to every rule and method of the URL map. The normal suite
runs ``FUZZ_EXAMPLES`` rounds per role per database (1, derandomised so CI is repeatable); set
``FUZZ_EXAMPLES=200`` for a long, random run (the figures it prints go in the README).
Hypothesis keeps no example database (``database=None``): nothing is written into the repo.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from wtforms.fields.core import UnboundField

from tests.conftest import csrf_from
from tests.factories import UserFactory, make_book, make_review
from webapp import forms as forms_package
from webapp.extensions import db
from webapp.models import HelpfulVote, LoginSession, Review, ShelfEntry, User
from webapp.services import login_sessions, reviews, shelves

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1"))
LONG_RUN = "FUZZ_EXAMPLES" in os.environ
TRIED = {"requests": 0, "5xx": 0}

SURROGATE = "\ud800".encode("utf-8", "surrogatepass")  # a lone surrogate, as a browser may send
# Kinds of hostile input; each kind is drawn as often as the others.
KINDS: dict[str, list[bytes]] = {
    "control": [b"\x00", b"a\x00b", b"\x01\x08\x0b\x1b\x7f", b"x\x00" * 3, b"%00"],
    "unicode": [SURROGATE, b"x" + SURROGATE, b"\xff\xfe\xc3", "e\u0301".encode(), "😀".encode()],
    "numbers": [b"9" * 40, b"2147483648", b"9223372036854775808", b"-1", b"-9223372036854775809"]
    + [b"0", b"1e309", b"NaN", b"-inf", b"sNaN", b"4.5", b"4.0", b"5.", b".5", b"1_0", b" 3 "],
    "digits": ["٣".encode(), "５".encode(), "৪".encode(), "Ⅷ".encode(), "٣.٥".encode()]
    + ["９７８０４４１０１３５９３".encode(), "４.５".encode(), b"1965", b"3.5"],
    "long": [b"A" * 20000, ("ü" * 3000).encode(), b"9" * 5000],
    "empty": [b"", b" ", b"\t\n"],
    "links": [b"//evil.example/", b"javascript:alert(1)", "/ünïcode/next".encode()]
    + ["/books?q=日本".encode(), b"/\\evil", b"<script>alert(1)</script>", b"../../etc/passwd"],
    "cursors": [b"nan_1", b"inf_99999999999", b"2026-01-01T00:00:00_1", b"1.0_1", b"_", b"x_-1"],
    "words": [b"true", b"on", b"y", b"spam", b"hide", b"admin", b"newest", b"helpful", b"read"],
}
NASTY = [value for kind in KINDS.values() for value in kind]
QUERY_KEYS = ["q", "page", "after", "sort", "next", "status", "reason", "target_id", "actor"]
QUERY_KEYS += ["action", "target_type", "role", "filename"]
PREFIXES = ["", "email-", "password-", "delete-"]


def form_field_names() -> list[str]:
    """Every field name any form declares (read off the form classes, so new forms count)."""
    import importlib
    import pkgutil

    names = {"csrf_token", "review_ids", "login", "next"}
    for info in pkgutil.iter_modules(forms_package.__path__):
        module = importlib.import_module(f"{forms_package.__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type):
                for klass in value.__mro__:
                    names |= {k for k, v in vars(klass).items() if isinstance(v, UnboundField)}
    return sorted(names)


FIELDS = [
    prefix + name
    for name in form_field_names()
    for prefix in PREFIXES
    if prefix == "" or "password" in name or name == "email"
]

values = st.one_of(
    *(st.sampled_from(kind) for kind in KINDS.values()),
    st.binary(max_size=30),
    st.text(max_size=30).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.integers().map(lambda i: str(i).encode()),
)
header_values = st.one_of(
    st.sampled_from(["true", "false", "", "1"]),
    st.sampled_from(NASTY).map(lambda b: b.decode("latin-1")),
).map(lambda v: re.sub(r"[\r\n]", "", v))


def path_value(converter: str, world) -> st.SearchStrategy[str]:
    ids = world["ids"]
    if converter in {"IntegerConverter", "IdConverter"}:
        raw = st.one_of(
            st.sampled_from(ids).map(str),
            st.integers(min_value=0, max_value=2**80).map(str),
            st.sampled_from(KINDS["numbers"] + KINDS["digits"]).map(lambda b: b.decode()),
        )
    elif converter == "AnyConverter":
        raw = st.sampled_from(["dismiss", "hide", "restore", "spoiler", "delete", "x", ""])
    else:
        raw = st.one_of(
            st.sampled_from(world["names"] + ["css/site.css", "img/favicon.svg"]),
            st.sampled_from(NASTY).map(lambda b: b.decode("utf-8", "surrogateescape")),
            st.text(max_size=20),
        )
    return raw.map(lambda v: quote(v.encode("utf-8", "surrogateescape"), safe=""))


@st.composite
def request_for(draw, rule, method: str, world):
    path = rule.rule
    for name, converter in rule._converters.items():
        value = draw(path_value(type(converter).__name__, world))
        path = re.sub(rf"<[^>]*:?{name}>", lambda _m, v=value: v, path, count=1)
    query = draw(st.dictionaries(st.sampled_from(QUERY_KEYS), values, max_size=3))
    form = {}
    if method == "POST":
        form = draw(st.dictionaries(st.sampled_from(FIELDS), values, max_size=6))
    headers = {}
    if draw(st.booleans()):
        headers["HX-Request"] = draw(header_values)
        headers["HX-Current-URL"] = draw(header_values)
    if draw(st.booleans()):
        name = draw(st.sampled_from(["HX-Boosted", "HX-History-Restore-Request", "HX-Target"]))
        headers[name] = draw(header_values)
    with_csrf = draw(st.integers(0, 9)) > 0
    return method, path, urlencode(query), list(form.items()), headers, with_csrf


# Asked last in a round, so that the rest is asked while still signed in.
SIGNING_OUT = ("auth.logout", "account.end_other_sessions", "account.delete")


def every_route(app, world):
    """One request per rule and method of the URL map: a round over the whole site."""
    endpoints = [
        (rule, method)
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint in SIGNING_OUT)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    return st.tuples(*(request_for(rule, method, world) for rule, method in endpoints))


def build_world(users: UserFactory) -> dict:
    victim, reader = users("victim"), users("fuzzer")
    staff = users("boss", role="admin")
    book, other = make_book("Dune", authors=("Frank Herbert",)), make_book("Emma")
    review = make_review(victim, book, "4", title="Mine", body="Victim's own words.")
    fuzzers = make_review(reader, other, "2", body="Fuzzer's review.")
    shelves.set_status(victim, book, "read")
    reviews.toggle_helpful(victim, fuzzers)
    return {
        "victim": victim.id,
        "users": {"reader": reader, "staff": staff},
        "ids": [victim.id, reader.id, staff.id, book.id, other.id, review.id, fuzzers.id, 1, 2],
        "names": ["victim", "fuzzer", "boss", "dune", f"{book.id}-dune"],
    }


def victim_state(victim_id: int) -> tuple:
    """What belongs to the victim: account, reviews (words, rating, visibility), shelves, votes."""
    user = db.session.get(User, victim_id)
    columns = (Review.id, Review.rating, Review.title, Review.body, Review.hidden_at)
    rows = db.session.execute(
        select(*columns, Review.spoiler).where(Review.user_id == victim_id).order_by(Review.id)
    ).all()
    shelf = db.session.execute(
        select(ShelfEntry.book_id, ShelfEntry.status).where(ShelfEntry.user_id == victim_id)
    ).all()
    votes = db.session.scalars(
        select(HelpfulVote.review_id).where(HelpfulVote.user_id == victim_id)
    ).all()
    sessions = db.session.scalars(
        select(LoginSession.id).where(LoginSession.user_id == victim_id)
    ).all()
    account = (user.username, user.email, user.password_hash, user.role, user.suspended_until)
    return account, tuple(rows), tuple(sorted(shelf)), tuple(sorted(votes)), tuple(sessions)


def client_for(app, role: str, world: dict):
    client = app.test_client()
    if role != "visitor":
        user = world["users"][role]
        login_sessions.open_session(user, timedelta(days=1))
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    return client


@pytest.mark.parametrize("role", ["visitor", "reader", "staff"])
def test_no_input_gets_a_5xx(make_app, users, role):
    app = make_app(RATELIMIT_ENABLED=False, LOGIN_SLOWDOWN_SECONDS=0)
    with app.app_context():
        world = build_world(users)
        before = victim_state(world["victim"])

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=not LONG_RUN,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],  # the failing request is in the message
        )
        @given(every_route(app, world))
        def one_round(requests):
            client = client_for(app, role, world)
            token = csrf_from(client.get("/login").text).encode()
            for method, path, query, form, headers, with_csrf in requests:
                if method == "POST" and with_csrf:
                    form = [*form, ("csrf_token", token)]
                response = client.open(
                    path,
                    method=method,
                    query_string=query,
                    data=urlencode(form),
                    content_type="application/x-www-form-urlencoded",
                    headers=headers,
                )
                response.get_data()
                response.close()
                db.session.rollback()
                TRIED["requests"] += 1
                TRIED["5xx"] += response.status_code >= 500
                assert response.status_code < 500, (method, path, query, form, headers)
                if role != "staff":  # staff may hide or suspend; readers may change nobody else
                    assert victim_state(world["victim"]) == before, (method, path, query, form)

        one_round()
    print(f"\nfuzz {role}: {TRIED['requests']} requests so far, 5xx: {TRIED['5xx']}")
