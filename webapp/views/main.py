"""Home page, health check, favicon."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, send_from_directory
from sqlalchemy import text

from webapp import throttle
from webapp.assets import HTMX_NAME, asset_url
from webapp.extensions import db, limiter
from webapp.services import catalog, reviews

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template(
        "home.html",
        recently_reviewed=catalog.recently_reviewed(limit=6),
        recent_reviews=reviews.recent(limit=6),
        top_rated=catalog.top_rated(limit=6),
    )


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not healthy"
        db.session.rollback()
        return (
            jsonify(
                status="error",
                database="unreachable",
                error=type(exc).__name__,
                ratelimit=throttle.storage_status(),
            ),
            503,
        )
    return jsonify(status="ok", database="ok", ratelimit=throttle.storage_status())


@bp.get("/vendor/htmx.min.js")
def htmx_js():
    """The old address; htmx is now served by WhiteNoise under its hashed URL (webapp/assets.py)."""
    return redirect(asset_url(HTMX_NAME), code=301)


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(
        f"{current_app.static_folder}/img", "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )
