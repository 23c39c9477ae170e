"""The WSGI layers around Flask, outermost first.

ProxyFix (trust ``PROXY_FIX_HOPS`` proxies for client address, scheme and host) → request log
(JSON line, request id) → HTTPS redirect and security headers → WhiteNoise (static files) →
the visitors' page cache (webapp/page_cache.py) → Flask.
Each layer sees every response, static files and redirects included.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import assets, og_images, page_cache
from webapp.logs import RequestLogMiddleware, configure_logging
from webapp.security import SecurityMiddleware


def init_app(app: Flask) -> None:
    configure_logging()
    og_images.check_fonts()  # like the assets: a missing font package stops the start, not a card
    wsgi = assets.init_app(app, page_cache.wrap(app, app.wsgi_app))
    wsgi = SecurityMiddleware(wsgi, force_https=app.config["FORCE_HTTPS"])
    wsgi = RequestLogMiddleware(wsgi)
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        wsgi = ProxyFix(wsgi, x_for=hops, x_proto=hops, x_host=hops)
    app.wsgi_app = wsgi
