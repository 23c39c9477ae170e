"""HTTPS redirect and security headers for every response.

A small WSGI middleware rather than flask-talisman: Talisman is barely maintained, and as a
Flask hook it would miss what never reaches Flask — static files served by WhiteNoise and the
HTTP→HTTPS redirect itself. Wrapping the whole WSGI app covers pages, htmx fragments, static
files, error pages and redirects in one place, with nothing to configure per view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import quote

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Covers and avatars are stored and served here (webapp/media.py): nothing else loads.
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

HSTS_HEADER = "max-age=31536000"

# Platform health checks arrive over plain HTTP on the private network.
REDIRECT_EXEMPT_PATHS = frozenset({"/healthz"})

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class SecurityMiddleware:
    """Redirects plain HTTP to HTTPS (when ``force_https``) and adds the security headers.

    Sits inside ProxyFix, so ``wsgi.url_scheme`` already reflects ``X-Forwarded-Proto``.
    A header the app set itself is left alone.
    """

    def __init__(self, app: WSGIApp, *, force_https: bool) -> None:
        self.app = app
        self.force_https = force_https

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        https = environ.get("wsgi.url_scheme") == "https"
        extra = list(SECURITY_HEADERS.items())
        if https:
            extra.append(("Strict-Transport-Security", HSTS_HEADER))

        def with_headers(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers.extend((k, v) for k, v in extra if k.lower() not in present)
            return start_response(status, headers, exc_info)

        if self.force_https and not https and environ.get("PATH_INFO") not in REDIRECT_EXEMPT_PATHS:
            return self.redirect_to_https(environ, with_headers)
        return self.app(environ, with_headers)

    @staticmethod
    def redirect_to_https(environ: dict, start_response: Callable) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost")
        host = host.removesuffix(":80")
        raw_path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        path = quote(raw_path.encode("latin-1"), safe="/:@!$&'()*+,;=-._~%")
        query = environ.get("QUERY_STRING")
        location = f"https://{host}{path}" + (f"?{query}" if query else "")
        # 301 for reads; 308 keeps the method and body of a form post.
        method = environ.get("REQUEST_METHOD", "GET")
        status = "301 Moved Permanently" if method in {"GET", "HEAD"} else "308 Permanent Redirect"
        start_response(
            status,
            [("Location", location), ("Content-Type", "text/plain"), ("Content-Length", "0")],
        )
        return [b""]
