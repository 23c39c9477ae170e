"""Fetching an image from another site, for the worker only (never inside a request).

Every limit is enforced here rather than trusted to the other side: a time budget for the
whole fetch (a server dripping one byte a second cannot hold the worker), a byte limit
(Content-Length and the bytes actually read), a Content-Type that says image, and at most
three redirects, each checked again.

Addresses given by readers (old cover URLs) could point the worker at the private network
(``http://169.254.169.254/``, ``http://localhost:6379``): only https to a public address is
fetched, and the connection goes to the very address that was checked (no second DNS answer).
The configured cover source's own host (``COVER_SOURCE_URL``) is the operator's choice and is
trusted as it is — which is also how tests point it at a local server.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

MAX_REDIRECTS = 3
USER_AGENT = "Colophon cover fetcher (+https://github.com/colophon)"


class FetchError(Exception):
    """The fetch did not give an image. ``lasting`` is false for errors worth retrying."""

    def __init__(self, message: str, *, lasting: bool = True) -> None:
        super().__init__(message)
        self.lasting = lasting


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds for the whole fetch, redirects included
    max_bytes: int = 5 * 1024 * 1024
    trusted: frozenset[str] = frozenset()  # host:port fetched without the public-address rule


def origin(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def _address(host: str, port: int, trusted: bool) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise FetchError(f"{host} does not resolve", lasting=False) from None
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0])
        if trusted or ip.is_global:
            return sockaddr[0]
    raise FetchError(f"{host} is not a public address")


class _Pinned:
    """http.client connections to a checked IP, with the host name kept for TLS and Host."""

    class HTTP(http.client.HTTPConnection):
        def __init__(self, host, ip, port, timeout):
            super().__init__(host, port, timeout=timeout)
            self.ip = ip

        def connect(self):
            self.sock = self.pinned = socket.create_connection((self.ip, self.port), self.timeout)

    class HTTPS(http.client.HTTPSConnection):
        def __init__(self, host, ip, port, timeout):
            super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
            self.ip = ip

        def connect(self):
            sock = socket.create_connection((self.ip, self.port), self.timeout)
            self.sock = self.pinned = self._context.wrap_socket(sock, server_hostname=self.host)


def _open(url: str, limits: Limits, deadline: float):
    parts = urlsplit(url)
    trusted = origin(url) in limits.trusted
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not a web address: {url[:80]}")
    if parts.scheme != "https" and not trusted:
        raise FetchError("only https addresses are fetched")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    ip = _address(parts.hostname, port, trusted)
    remaining = max(0.1, deadline - time.monotonic())
    kind = _Pinned.HTTPS if parts.scheme == "https" else _Pinned.HTTP
    conn = kind(parts.hostname, ip, port, remaining)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "image/*"})
        return conn, conn.getresponse()
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        raise FetchError(f"{parts.hostname}: {type(exc).__name__}", lasting=False) from None


def _read(conn, response, limits: Limits, deadline: float) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > limits.max_bytes:
        raise FetchError(f"the image is {int(length)} bytes, over {limits.max_bytes}")
    chunks, total = [], 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("too slow: gave up", lasting=False)
        conn.pinned.settimeout(remaining)  # conn.sock is gone once the answer owns it
        try:
            chunk = response.read1(64 * 1024)
        except TimeoutError:
            raise FetchError("too slow: gave up", lasting=False) from None
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"broken answer: {type(exc).__name__}", lasting=False) from None
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limits.max_bytes:
            raise FetchError(f"the image is over {limits.max_bytes} bytes")
        chunks.append(chunk)


def fetch_image(url: str, limits: Limits) -> bytes:
    """The bytes of the image at ``url`` (following ≤ 3 redirects). Raises FetchError;
    a 404 or 410 is lasting (no cover there), a 5xx or a timeout is worth another try."""
    deadline = time.monotonic() + limits.timeout
    for _ in range(MAX_REDIRECTS + 1):
        conn, response = _open(url, limits, deadline)
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError("a redirect without a Location")
                url = urljoin(url, location)
                continue
            if response.status in (404, 410):
                raise FetchError("no image there (404)")
            if response.status >= 500 or response.status == 429:
                raise FetchError(f"the server answered {response.status}", lasting=False)
            if response.status != 200:
                raise FetchError(f"the server answered {response.status}")
            kind = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if not kind.startswith("image/"):
                raise FetchError(f"not an image: {kind or 'no Content-Type'}")
            return _read(conn, response, limits, deadline)
        finally:
            response.close()
            conn.close()
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")
