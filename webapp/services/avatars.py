"""Readers' pictures: uploaded on /account, shown on profiles and review cards.

Stored like covers (webapp/media.py), square-cropped at two sizes; a reader without one shows
their initial on a colour chosen from their name.
"""

from __future__ import annotations

import hashlib

from webapp import images
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.models import User
from webapp.services.covers import media_url, store

SIZES = (images.Size("m", 192, 192, crop=True), images.Size("s", 64, 64, crop=True))
# Background classes for initials (static/css/media.css), each with white text above 4.5:1.
TONES = 6


def upload(user: User, data: bytes) -> None:
    """Make ``data`` the reader's picture. Raises ValidationError on ``image``."""
    try:
        user.avatar_key = store("avatars", data, SIZES)
    except images.ImageError as error:
        raise ValidationError("image", str(error)) from None
    db.session.commit()


def remove(user: User) -> None:
    user.avatar_key = None
    db.session.commit()


def avatar_src(user: User, size: str = "s") -> str | None:
    return media_url("avatars", user.avatar_key, size) if user.avatar_key else None


def initial(user: User) -> str:
    return next((c.upper() for c in user.username if c.isalnum()), "?")


def tone(user: User) -> int:
    return int(hashlib.sha256(user.username.lower().encode()).hexdigest(), 16) % TONES
