"""Home page (the feed for signed-in readers), health check, favicon, the site's share image."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
)
from flask_login import current_user, login_required
from sqlalchemy import text

from webapp import og_images, throttle
from webapp.assets import HTMX_NAME, asset_url
from webapp.extensions import db, limiter
from webapp.htmx import render
from webapp.services import catalog, feed, goals, reads, reviews
from webapp.tasks import redis_check

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    """Signed-in readers get their feed; visitors the public page (cacheable, no session)."""
    if current_user.is_authenticated:
        return _feed()
    return render_template(
        "home.html",
        recently_reviewed=catalog.recently_reviewed(limit=6),
        recent_reviews=reviews.recent(limit=6),
        top_rated=catalog.top_rated(limit=6),
    )


def _feed():
    """The feed from ``?after=`` on: a full page, or for htmx the entries and the next link."""
    after = request.args.get("after")
    entries, cursor = feed.page(current_user, after)
    context = {"entries": entries, "cursor": cursor, "older": bool(after)}
    if not entries and not after:
        context["kindred"] = feed.kindred_readers(current_user)
        context["helpful"] = feed.helpful_reviewers(current_user)
    if not after:  # the reader's books in progress and goal, above the newest entries
        context["in_progress"] = reads.in_progress(current_user)
        context["goal"] = goals.progress(current_user)
    return render("feed/index.html", "feed/_entries.html", **context)


@bp.get("/feed")
@login_required
def feed_more():
    """Older feed entries ("Show more"): a page without JavaScript, a fragment for htmx."""
    return _feed()


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The database and, when REDIS_URL is set, Redis (the queue and rate limits need it)."""
    redis_ok, redis = redis_check(current_app.config.get("REDIS_URL"))
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not healthy"
        db.session.rollback()
        body = {"database": "unreachable", "error": type(exc).__name__}
        return jsonify(
            status="error", ratelimit=throttle.storage_status(), redis=redis, **body
        ), 503
    # Redis down is reported, not fatal: rate limits fall back to memory and mail waits in
    # the outbox until the queue answers again (restarting the site would not help).
    status = "degraded" if redis_ok is False else "ok"
    return jsonify(status=status, database="ok", ratelimit=throttle.storage_status(), redis=redis)


@bp.get("/vendor/htmx.min.js")
def htmx_js():
    """The old address; htmx is now served by WhiteNoise under its hashed URL (webapp/assets.py)."""
    return redirect(asset_url(HTMX_NAME), code=301)


@bp.get("/share.png")
def share_image():
    """The site's ``og:image`` for pages without their own (a PNG: social sites skip SVG)."""
    response = make_response(og_images.site_card())
    response.mimetype = "image/png"
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(
        f"{current_app.static_folder}/img", "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )
