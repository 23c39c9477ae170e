"""Test data built through the real models (one password hash computed once, for speed)."""

from __future__ import annotations

from functools import cache
from itertools import count

from werkzeug.security import generate_password_hash

from webapp.extensions import db
from webapp.models import User

_seq = count(1)


@cache
def _hash(password: str) -> str:
    return generate_password_hash(password)


class UserFactory:
    password = "correct horse battery"

    def __call__(
        self,
        username: str | None = None,
        *,
        email: str | None = None,
        role: str = "reader",
        password: str | None = None,
    ) -> User:
        n = next(_seq)
        username = username or f"reader{n}"
        user = User(
            username=username,
            username_key=username.lower(),
            email=email or f"{username.lower()}@example.com",
            password_hash=_hash(password or self.password),
            role=role,
        )
        db.session.add(user)
        db.session.commit()
        return user
