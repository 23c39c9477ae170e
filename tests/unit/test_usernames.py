"""Look-alike usernames are refused; the migration folds existing ones without losing any."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from tests.conftest import config_for
from webapp import create_app
from webapp.config import normalise_database_url
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.services import accounts
from webapp.usernames import fold, skeleton


@pytest.mark.parametrize(
    "variant",
    [
        "reader_one",
        "Reader-One",
        "READER.ONE",
        "readerone",
        "reader_0ne",
        "rеader_one",
        "ｒｅａｄｅｒ_one",
    ],
)
def test_look_alikes_fold_alike(variant):
    assert fold(variant) == fold("Reader_One") == "readerone"


def test_case_and_a_capital_i_fold_alike():
    assert fold("ALICE") == fold("alice") == fold("AIice") == fold("al1ce") == "allce"


def test_the_skeleton_is_tr39s():
    assert skeleton("1") == skeleton("l") == skeleton("I") == "l"
    assert skeleton("m") == "rn" and skeleton("0") == "O"
    assert skeleton("раураl") == "paypal"  # Cyrillic р а у а
    assert fold("reader") != fold("readers") and fold("mill") != fold("rnil")
    assert fold("bob") != fold("bab") and fold("ana") != fold("anna")


@pytest.mark.parametrize(
    ("taken", "wanted", "message"),
    [
        ("reader_one", "READER_ONE", "That username is taken."),
        ("reader_one", "reader-one", "looks too much like “reader_one”"),
        ("admin", "adrnin", "looks too much like “admin”"),
        ("bob10", "bobl0", "looks too much like “bob10”"),
        ("ola", "0la", "such as 0 and O"),
    ],
)
def test_sign_up_refuses_a_look_alike_with_a_clear_message(app, users, taken, wanted, message):
    users(taken)
    with pytest.raises(ValidationError, match=message) as refused:
        accounts.sign_up(wanted, f"{wanted}@example.net", "a fine passphrase")
    assert refused.value.field == "username"


def test_fullwidth_letters_are_letters(app):
    user = accounts.sign_up("ｍａｒｙ", "mary@example.com", "a fine passphrase")
    assert user.username == "mary" and user.username_fold == "rnary"


def test_signup_form_shows_the_refusal_beside_the_field(app, users, web):
    users("reader_one")
    form = {"username": "Reader-0ne", "email": "x@example.com", "password": "a fine passphrase"}
    response = web.post("/signup", form)
    assert response.status_code == 422
    assert 'id="username-error"' in response.text and "looks too much like" in response.text
    assert 'value="Reader-0ne"' in response.text


def test_migration_backfills_folds_and_keeps_existing_look_alikes(empty_database):
    app = create_app(config_for(normalise_database_url(empty_database)))
    with app.app_context():
        upgrade(revision="0004_login_sessions")
        for n, name in enumerate(["Reader_One", "other", "reader-one", "READER.0NE"], 1):
            db.session.execute(
                text(
                    "INSERT INTO users (id, username, username_key, email, password_hash, role,"
                    " created_at) VALUES (:id, :name, :key, :email, 'x', 'reader', :now)"
                ),
                {
                    "id": n,
                    "name": name,
                    "key": name.lower(),
                    "email": f"{n}@e.org",
                    "now": "2026-01-01",
                },
            )
        db.session.commit()
        upgrade()
        rows = db.session.execute(text("SELECT id, username_fold FROM users ORDER BY id")).all()
        assert rows == [(1, "readerone"), (2, "other"), (3, "readerone#3"), (4, "readerone#4")]
        db.session.remove()
        db.engine.dispose()
