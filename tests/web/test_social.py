"""Following, follow requests to private readers, blocking and muting, and their notices."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Follow, Notice
from webapp.services import blocks, follows

pytestmark = pytest.mark.usefixtures("shared_world")


def notices_of(user) -> list[str]:
    return list(db.session.scalars(select(Notice.message).where(Notice.user_id == user.id)))


def follow_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Follow))


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_follow_then_unfollow(web, auth, world, htmx):
    auth.login("reader")
    response = web.post("/u/author/follow", htmx=htmx, page="/u/author")
    if htmx:
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html
        assert "HX-Request" in response.headers["Vary"]
        assert f'id="social-{world.author.id}"' in html and "1 follower" in html
        assert 'id="follow-button"' in html and "Unfollow" in html
    else:
        assert response.status_code == 303 and response.headers["Location"] == "/u/author"
    assert follows.status(world.reader, world.author) == "active"
    assert notices_of(world.author) == ["reader started following you."]
    assert follows.counts(world.author) == {"followers": 1, "following": 0}
    assert follows.counts(world.reader) == {"followers": 0, "following": 1}

    web.post("/u/author/follow", htmx=htmx)  # twice: nothing new, nobody told again
    assert follow_count() == 1 and len(notices_of(world.author)) == 1
    web.post("/u/author/unfollow", htmx=htmx)
    assert follows.status(world.reader, world.author) is None


def test_profile_shows_counts_and_lists(client, auth, world):
    follows.follow(world.reader, world.author)
    follows.follow(world.mod, world.author)
    follows.follow(world.author, world.reader)
    html = client.get("/u/author").get_data(as_text=True)
    assert "2 followers" in html and "1 following" in html
    assert 'id="follow-button"' not in html  # a visitor gets no buttons
    followers = client.get("/u/author/followers").get_data(as_text=True)
    assert ">reader</a>" in followers and ">mod</a>" in followers
    following = client.get("/u/author/following").get_data(as_text=True)
    assert ">reader</a>" in following and ">mod</a>" not in following
    assert client.get("/u/nobody/followers").status_code == 404


def test_no_following_oneself(web, auth, world):
    auth.login("reader")
    assert web.post("/u/reader/follow").status_code == 403
    assert follow_count() == 0


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_private_reader_approves_followers(web, auth, world, htmx):
    auth.login("author")
    response = web.post("/account/privacy", {"privacy-private": "y"}, htmx=htmx)
    assert response.status_code == (200 if htmx else 303)
    assert world.author.is_private
    auth.logout()

    auth.login("reader")
    html = web.client.get("/u/author").get_data(as_text=True)
    assert "Ask to follow" in html
    web.post("/u/author/follow")
    assert follows.status(world.reader, world.author) == "pending"
    assert follows.counts(world.author)["followers"] == 0
    assert notices_of(world.author) == ["reader asked to follow you."]
    auth.logout()

    auth.login("author")
    page = web.client.get("/follow-requests").get_data(as_text=True)
    assert ">reader</a>" in page and "/follow-requests/reader/approve" in page
    response = web.post("/follow-requests/reader/approve", htmx=htmx)
    if htmx:
        assert response.status_code == 200 and "No one is waiting." in response.get_data(True)
    else:
        assert response.status_code == 303 and response.headers["Location"] == "/follow-requests"
    assert follows.status(world.reader, world.author) == "active"
    assert notices_of(world.reader) == ["author approved your follow request."]
    assert web.post("/follow-requests/reader/approve").status_code == 404  # nothing waiting


def test_decline_and_going_public(web, auth, users, world):
    follows.set_private(world.author, True)
    other = users("other")
    follows.follow(world.reader, world.author)
    follows.follow(other, world.author)
    auth.login("author")
    assert web.post("/follow-requests/reader/decline").status_code == 303
    assert follows.status(world.reader, world.author) is None
    assert notices_of(world.reader) == []  # the requester is not told
    follows.set_private(world.author, False)  # going public lets the rest in
    assert follows.status(other, world.author) == "active"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_block_ends_follows_and_stops_new_ones(web, auth, world, htmx):
    follows.follow(world.reader, world.author)
    follows.follow(world.author, world.reader)
    auth.login("author")
    response = web.post("/u/reader/block", htmx=htmx)
    assert response.status_code == (200 if htmx else 303)
    if htmx:
        assert "Unblock" in response.get_data(as_text=True)
    assert follow_count() == 0 and blocks.between(world.reader, world.author)
    auth.logout()

    auth.login("reader")
    assert web.post("/u/author/follow").status_code == 403
    html = web.client.get("/u/author").get_data(as_text=True)
    assert 'id="follow-button"' not in html  # nothing offered, nothing said
    assert follow_count() == 0
    auth.logout()
    auth.login("author")
    web.post("/u/reader/unblock")
    assert not blocks.between(world.reader, world.author)


def test_staff_cannot_be_blocked(web, auth, world):
    auth.login("reader")
    assert web.post("/u/mod/block").status_code == 403
    assert 'id="block-button"' not in web.client.get("/u/mod").get_data(as_text=True)
    assert not blocks.between(world.reader, world.mod)


def test_mute_silences_notices_without_telling(web, auth, world):
    auth.login("author")
    assert web.post("/u/reader/mute").status_code == 303
    assert blocks.is_muted(world.author.id, world.reader.id)
    follows.follow(world.reader, world.author)
    assert follows.status(world.reader, world.author) == "active"  # muting does not block
    assert notices_of(world.author) == []
    assert notices_of(world.reader) == []
    web.post("/u/reader/unmute")
    assert not blocks.is_muted(world.author.id, world.reader.id)


def test_follows_are_rate_limited(make_app, world):
    from tests.conftest import AuthActions, Browserless

    app = make_app(FOLLOW_LIMIT_PER_USER="2 per hour")
    web = Browserless(app.test_client())
    AuthActions(web).login("reader")
    statuses = [web.post(f"/u/{name}/follow").status_code for name in ("author", "mod", "boss")]
    assert statuses == [303, 303, 429]


def test_profile_query_count_does_not_grow_with_followers(
    client, auth, users, world, count_queries
):
    auth.login("reader")
    client.get("/u/author")
    with count_queries() as few:
        client.get("/u/author")
    for n in range(5):
        follows.follow(users(f"fan{n}"), world.author)
    with count_queries() as many:
        assert "5 followers" in client.get("/u/author").get_data(as_text=True)
    assert len(many) == len(few)


def book_page(client, world) -> str:
    return client.get(f"/books/{world.book.id}", follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_follow_from_a_review_card(web, auth, world, htmx):
    card = f"follow-card-{world.review.id}"
    auth.login("reader")
    html = book_page(web.client, world)
    assert f'id="{card}-button"' in html and 'name="card"' in html
    back = f"/books/{world.book.id}-the-moderated-book#review-{world.review.id}"
    data = {"card": str(world.review.id), "next": back}
    response = web.post("/u/author/follow", data, htmx=htmx, page=back)
    assert follows.status(world.reader, world.author) == "active"
    if htmx:
        fragment = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in fragment
        assert "HX-Request" in response.headers["Vary"]
        assert fragment.lstrip().startswith(f'<div id="{card}"')
        assert f'id="{card}-button"' in fragment and "Unfollow" in fragment
    else:
        assert response.status_code == 303 and response.headers["Location"] == back
    html = book_page(web.client, world)
    assert "Unfollow<span" in html.split(f'id="{card}-button"')[1][:200]
    web.post("/u/author/unfollow", data, htmx=htmx, page=back)
    assert follows.status(world.reader, world.author) is None


def test_review_card_button_only_for_other_signed_in_readers(web, auth, world):
    card = f'id="follow-card-{world.review.id}'
    assert card not in book_page(web.client, world)  # visitors: nothing
    auth.login("author")
    assert card not in book_page(web.client, world)  # one's own review: nothing
    auth.logout()
    blocks.block(world.author, world.reader)
    auth.login("reader")
    assert card not in book_page(web.client, world)  # across a block: nothing
    review_page = web.client.get(f"/reviews/{world.review.id}").get_data(as_text=True)
    assert card not in review_page


def test_review_card_follow_goes_back_only_to_this_site(web, auth, world):
    auth.login("reader")
    data = {"card": str(world.review.id), "next": "//evil.example/"}
    response = web.post("/u/author/follow", data)
    assert response.headers["Location"] == "/u/author"
    bad_card = web.post("/u/author/unfollow", {"card": "x" * 30, "next": "/"})
    assert bad_card.status_code == 303 and bad_card.headers["Location"] == "/u/author"


def test_review_page_offers_the_card_button(web, auth, world):
    auth.login("reader")
    html = web.client.get(f"/reviews/{world.review.id}").get_data(as_text=True)
    assert f'id="follow-card-{world.review.id}-button"' in html
    assert f'value="/reviews/{world.review.id}#review-{world.review.id}"' in html
