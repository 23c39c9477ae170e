"""/media/<kind>/<name>: stored covers and avatars, served by the site itself.

Names are content hashes, so an answer never changes: cached for a year. From S3 the bytes
pass through the app, so a visitor's browser only ever talks to this site.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, make_response, request

from webapp import media

bp = Blueprint("media", __name__, url_prefix="/media")
log = logging.getLogger(__name__)


@bp.get("/<kind>/<name>")
def file(kind: str, name: str):
    key = f"{kind}/{name}"
    if not media.KEY.fullmatch(key):
        abort(404)
    try:
        data = media.store().get(key)
    except Exception:  # storage unreachable: say so, never a 500
        log.exception("media storage did not answer for %s", key)
        abort(503)
    if data is None:
        abort(404)
    response = make_response(data)
    response.mimetype = media.CONTENT_TYPE
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.set_etag(name.removesuffix(".jpg"))
    return response.make_conditional(request)
