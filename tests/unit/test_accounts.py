"""Account rules in the service layer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.config import TEST_HASH_METHOD, load_config
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.models import LoginSession
from webapp.services import account_rules, accounts, login_sessions


def test_sign_up_normalises_and_hashes(app):
    user = accounts.sign_up(" Mixed_Case ", "Someone@Example.COM", "a fine passphrase")
    assert user.username == "Mixed_Case" and user.username_key == "mixed_case"
    assert user.email == "someone@example.com"
    assert user.password_hash.startswith("scrypt:")


def test_passwords_are_hashed_with_werkzeugs_default_outside_the_tests(app, monkeypatch):
    """Production and development make werkzeug's scrypt (N=2^15); the suite a small work
    factor. A stored hash names its own parameters, so either kind checks the same way."""
    for mode in ("production", "development"):
        assert load_config(mode, "k" * 64)["PASSWORD_HASH_METHOD"] == "scrypt"
    assert load_config("testing")["PASSWORD_HASH_METHOD"] == TEST_HASH_METHOD
    assert app.config["PASSWORD_HASH_METHOD"] == TEST_HASH_METHOD
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt")
    user = accounts.sign_up("strong", "strong@example.com", "a fine passphrase")
    assert user.password_hash.startswith("scrypt:32768:8:1$")
    assert accounts.authenticate("strong", "a fine passphrase") == user
    assert accounts.authenticate("nobody", "a fine passphrase") is None


def test_usernames_and_emails_are_unique_ignoring_case(app, users):
    users("Alice", email="alice@example.com")
    with pytest.raises(ValidationError) as taken:
        accounts.sign_up("ALICE", "new@example.com", "a fine passphrase")
    assert taken.value.field == "username"
    with pytest.raises(ValidationError) as email:
        accounts.sign_up("alice2", "ALICE@example.com", "a fine passphrase")
    assert email.value.field == "email"


def test_authenticate(app, users):
    users("bob")
    assert accounts.authenticate("BOB", "correct horse battery").username == "bob"
    assert accounts.authenticate("bob@example.com", "correct horse battery") is not None
    assert accounts.authenticate("bob", "wrong") is None
    assert accounts.authenticate("nobody", "correct horse battery") is None
    assert accounts.authenticate("", "x") is None


LIFETIME = timedelta(days=30)


def test_change_password_ends_every_other_session(app, users):
    user = users("carol")
    current = login_sessions.open_session(user, LIFETIME)
    other = login_sessions.open_session(users("carol2"), LIFETIME)
    elsewhere = [login_sessions.open_session(user, LIFETIME) for _ in range(2)]
    user.login_session_key = current
    assert accounts.change_password(user, "correct horse battery", "an entirely new one") == 2
    assert accounts.authenticate("carol", "an entirely new one") is not None
    assert login_sessions.session_user(user.id, current, LIFETIME) is user
    assert all(login_sessions.session_user(user.id, key, LIFETIME) is None for key in elsewhere)
    assert login_sessions.session_user(user.id + 1, other, LIFETIME) is not None  # carol2 untouched


def test_sessions_end_one_by_one_all_at_once_and_by_age(app, users):
    user = users("dora")
    first, second = (login_sessions.open_session(user, LIFETIME) for _ in range(2))
    assert login_sessions.session_user(user.id, first, LIFETIME).login_session_key == first
    assert login_sessions.session_user(user.id + 1, first, LIFETIME) is None  # key of another user
    login_sessions.end_session(user)  # user was last loaded for ``first``
    assert login_sessions.session_user(user.id, first, LIFETIME) is None
    user.login_session_key = second
    assert login_sessions.other_session_count(user) == 0
    third = login_sessions.open_session(user, LIFETIME)
    assert login_sessions.end_sessions(user) == 2
    assert login_sessions.session_user(user.id, third, LIFETIME) is None
    old = login_sessions.open_session(user, LIFETIME)
    assert login_sessions.session_user(user.id, old, timedelta(0)) is None  # expired
    login_sessions.open_session(user, timedelta(0))  # prunes the expired row
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 1


@pytest.mark.parametrize("password", ["password123", "1234567890", "Qwertyuiop"])
def test_common_passwords_are_refused(password):
    with pytest.raises(ValidationError, match="too common"):
        account_rules.check_password(password)


def test_common_password_list_is_loaded():
    assert len(account_rules.common_passwords()) > 100


def test_deleting_an_account_takes_its_ratings_out_of_the_books(app, users):
    from tests.factories import make_book, make_review
    from webapp.extensions import db
    from webapp.services import reviews

    leaving, staying = users("leaving"), users("staying")
    book = make_book("Shared Book")
    make_review(leaving, book, "5", body="Loved it")
    kept = make_review(staying, book, "2", body="Not for me")
    reviews.toggle_helpful(leaving, kept)
    assert (book.rating_count, book.review_count, kept.helpful_count) == (2, 2, 1)

    accounts.delete_account(leaving, "correct horse battery")
    db.session.refresh(book)
    db.session.refresh(kept)
    assert (book.rating_count, book.rating_sum, book.review_count) == (1, 4, 1)
    assert (book.stars_5, book.stars_2, kept.helpful_count) == (0, 1, 0)
    assert book.average == 2.0
