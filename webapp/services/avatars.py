"""Readers' pictures: uploaded on /account, shown on profiles and review cards.

Stored like covers (webapp/media.py), square-cropped at two sizes; a reader without one shows
their initial on a colour chosen from their name. A picture replaced or removed, or whose
reader deleted their account, is deleted from storage too (unless another reader uploaded the
very same image: files are named by their content).
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import select

from webapp import images, media
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.models import User
from webapp.services.covers import media_url, store

log = logging.getLogger(__name__)
SIZES = (images.Size("m", 192, 192, crop=True), images.Size("s", 64, 64, crop=True))
# Background classes for initials (static/css/media.css), each with white text above 4.5:1.
TONES = 6


def upload(user: User, data: bytes) -> None:
    """Make ``data`` the reader's picture. Raises ValidationError on ``image``."""
    old = user.avatar_key
    try:
        user.avatar_key = store("avatars", data, SIZES)
    except images.ImageError as error:
        raise ValidationError("image", str(error)) from None
    db.session.commit()
    forget(old)


def remove(user: User) -> None:
    old, user.avatar_key = user.avatar_key, None
    db.session.commit()
    forget(old)


def forget(key: str | None) -> None:
    """Delete a picture's files once no reader shows it (after the change is committed)."""
    if not key or db.session.scalar(select(User.id).where(User.avatar_key == key).limit(1)):
        return
    for size in SIZES:
        try:
            media.store().delete(f"avatars/{key}-{size.name}.jpg")
        except Exception:  # storage down: the file stays behind, unlinked from any page
            log.exception("could not delete avatar %s", key)


def avatar_src(user: User, size: str = "s") -> str | None:
    return media_url("avatars", user.avatar_key, size) if user.avatar_key else None


def initial(user: User) -> str:
    return next((c.upper() for c in user.username if c.isalnum()), "?")


def tone(user: User) -> int:
    return int(hashlib.sha256(user.username.lower().encode()).hexdigest(), 16) % TONES
