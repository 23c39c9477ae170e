"""The site's own origin: absolute links come from ``SITE_URL``, never from the Host header.

A Host header is whatever the client sent. Reflected into a canonical or ``og:`` URL, a shared
cache could keep a page that points elsewhere; in a mail, a reset link could lead to another
site. So absolute links are built on ``SITE_URL``, and production answers only for the hosts in
``TRUSTED_HOSTS`` (Flask 3.1 checks it before routing; it defaults to ``SITE_URL``'s host).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, url_for


class SiteUrlError(ValueError):
    """``SITE_URL`` is not an http(s) origin."""


def parse_site_url(value: str) -> str:
    """``scheme://host[:port]`` (paths come from ``url_for``); raises SiteUrlError."""
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SiteUrlError(f"SITE_URL must look like https://books.example.org, not {value!r}")
    extra = parts.path.strip("/") or parts.query or parts.fragment or parts.username
    if extra or parts.password:
        raise SiteUrlError(f"SITE_URL must be an origin only (https://host[:port]), not {value!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def site_host(site_url: str | None) -> str | None:
    """The host name ``site_url`` names (TRUSTED_HOSTS ignore ports)."""
    return urlsplit(site_url).hostname if site_url else None


def parse_hosts(value: str | None) -> list[str] | None:
    """A comma-separated ``TRUSTED_HOSTS`` value; None (every host) when empty."""
    hosts = [h.strip().lower() for h in (value or "").split(",") if h.strip()]
    return hosts or None


def absolute_url(endpoint: str, **values) -> str | None:
    """``url_for`` on ``SITE_URL``; None when the site has no configured origin.

    Pages leave out canonical and ``og:`` links rather than guess an origin from the request.
    """
    site = current_app.config.get("SITE_URL")
    if not site:
        return None
    return site + url_for(endpoint, **values)


def absolute(url: str | None) -> str | None:
    """An already absolute URL as is; a path joined to ``SITE_URL`` (None without one)."""
    if not url or urlsplit(url).scheme:
        return url
    site = current_app.config.get("SITE_URL")
    return site + url if site else None
