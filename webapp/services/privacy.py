"""Private profiles: a private reader's reviews, reads, shelves and lists are for the readers
they approved (active followers), themselves and staff.

Elsewhere — book pages, the review's own page, the visitors' home page, lists on a book's
page — those rows are left out for everyone else, as on Goodreads or StoryGraph. A book's kept
rating aggregates still count a private reader's rating: the numbers are the book's, and
recounting them per viewer would make every book page a query over all its reviews.
"""

from __future__ import annotations

from sqlalchemy import bindparam, exists, or_, select, true

from webapp import permissions
from webapp.extensions import db
from webapp.models import STAFF_ROLES, Follow, User


def can_see(viewer, owner: User) -> bool:
    """Whether ``viewer`` sees ``owner``'s reviews, reads, shelves and lists."""
    if not owner.is_private or permissions.is_moderator(viewer):
        return True
    if not permissions.is_signed_in(viewer):
        return False
    if viewer.id == owner.id:
        return True
    follow = select(Follow.status).where(
        Follow.follower_id == viewer.id, Follow.followee_id == owner.id
    )
    return db.session.scalar(follow) == "active"


def shown_to(viewer, user_id):
    """SQL: the rows whose owner (``user_id``, a column) ``viewer`` may see (see ``can_see``)."""
    if permissions.is_moderator(viewer):
        return true()
    public = ~exists().where(User.id == user_id, User.is_private == true())
    if not permissions.is_signed_in(viewer):
        return public
    followed = select(Follow.followee_id).where(
        Follow.follower_id == viewer.id, Follow.status == "active"
    )
    return or_(public, user_id == viewer.id, user_id.in_(followed))


def audience(owner: User):
    """SQL over ``User``: the readers who see ``owner``'s rows (see ``can_see``), e.g. whom a
    private reader's reply may be told to."""
    if not owner.is_private:
        return true()
    followers = select(Follow.follower_id).where(
        Follow.followee_id == owner.id, Follow.status == "active"
    )
    return or_(User.id == owner.id, User.role.in_(STAFF_ROLES), User.id.in_(followers))


def viewer_kind(viewer) -> str:
    """ "staff", "reader" or "visitor": which form of ``shown_to`` applies to ``viewer``."""
    if permissions.is_moderator(viewer):
        return "staff"
    return "reader" if permissions.is_signed_in(viewer) else "visitor"


def shown_to_bound(kind: str, user_id):
    """``shown_to`` for a ``viewer_kind``, the viewer's id left as the ``viewer_id`` parameter:
    for statements built once and run with the viewer bound (building costs more than running)."""
    if kind == "staff":
        return true()
    public = ~exists().where(User.id == user_id, User.is_private == true())
    if kind == "visitor":
        return public
    viewer_id = bindparam("viewer_id")
    followed = select(Follow.followee_id).where(
        Follow.follower_id == viewer_id, Follow.status == "active"
    )
    return or_(public, user_id == viewer_id, user_id.in_(followed))
