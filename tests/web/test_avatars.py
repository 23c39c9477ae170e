"""A reader's picture: uploaded on /account (plain and htmx), shown on the profile and review
cards, initials when there is none."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from tests.factories import UserFactory
from tests.media_parts import jpeg, webp
from webapp import images
from webapp.extensions import db
from webapp.models import User
from webapp.services import avatars

AVATAR = re.compile(
    r'<img class="avatar avatar-([sm])" src="(/media/avatars/[0-9a-f]{20}-[sm]\.jpg)"'
)


def post_avatar(web, data, htmx=False, name="me.png"):
    form = {"avatar-image": (io.BytesIO(data), name)}
    return web.post("/account/avatar", form, htmx=htmx, page="/account")


def test_without_a_picture_the_initial_shows(app, web, auth, world):
    html = web.client.get("/u/author").get_data(as_text=True)
    assert re.search(
        r'<span class="avatar avatar-m avatar-tone-\d" aria-hidden="true">A</span>', html
    )
    assert "/media/avatars/" not in html


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_reader_uploads_a_picture_shown_on_profile_and_reviews(app, web, auth, world, htmx):
    auth.login("author")
    response = post_avatar(web, jpeg(600, 400, exif=True), htmx=htmx, name="photo.webp")
    author = world.author
    db.session.refresh(author)
    assert author.avatar_key == images.digest(jpeg(600, 400, exif=True))
    if htmx:
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html
        assert html.lstrip().startswith('<div id="avatar-part"') and AVATAR.search(html)
        assert "Your picture was saved." in html
    else:
        assert response.status_code == 303 and response.headers["Location"] == "/account"
    profile = web.client.get("/u/author").get_data(as_text=True)
    size, src = AVATAR.search(profile).groups()
    assert size == "m"
    served = web.client.get(src)
    image = Image.open(io.BytesIO(served.data))
    assert image.size == (192, 192) and not image.getexif()  # square, no camera data
    book_page = web.client.get(f"/books/{world.book.id}-{world.book.slug}").get_data(as_text=True)
    review = book_page[book_page.index(f'id="review-{world.review.id}"') :]
    assert AVATAR.search(review).group(1) == "s"


def test_removing_the_picture_brings_the_initial_back(app, web, auth, world):
    auth.login("author")
    post_avatar(web, webp())
    assert web.post("/account/avatar/remove").status_code == 303
    db.session.refresh(world.author)
    assert world.author.avatar_key is None
    assert "/media/avatars/" not in web.client.get("/u/author").get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_bad_picture_gets_a_422_beside_the_field(app, web, auth, world, htmx):
    auth.login("author")
    response = post_avatar(web, b"MZ\x90\x00 an executable", htmx=htmx, name="me.jpg")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and ("<html" in html) is not htmx
    error = '<p class="field-error" id="avatar-image-error">That is not a JPEG, PNG or WebP image.'
    assert error in html
    db.session.refresh(world.author)
    assert world.author.avatar_key is None


def stored(app, key: str) -> list[str]:
    return sorted(p.name for p in (Path(app.config["MEDIA_DIR"]) / "avatars").glob(f"{key}-*"))


def test_a_replaced_removed_or_deleted_picture_leaves_storage(app, web, auth, world, users):
    auth.login("author")
    post_avatar(web, jpeg(color=(9, 9, 9)))
    first = db.session.get(User, world.author.id).avatar_key
    assert stored(app, first) == [f"{first}-m.jpg", f"{first}-s.jpg"]
    post_avatar(web, jpeg(color=(99, 9, 9)))
    second = db.session.get(User, world.author.id).avatar_key
    assert stored(app, first) == [] and len(stored(app, second)) == 2
    # Another reader with the very same image keeps the files when the author removes theirs.
    twin = users("twin")
    twin_id = twin.id
    avatars.upload(twin, jpeg(color=(99, 9, 9)))
    assert web.post("/account/avatar/remove").status_code == 303
    assert len(stored(app, second)) == 2
    auth.logout()
    auth.login("twin")
    form = {"delete-password": UserFactory.password}
    assert web.post("/account/delete", form).status_code == 303
    assert db.session.get(User, twin_id) is None and stored(app, second) == []
