"""Images and servers for the media tests: real bytes made with Pillow (or by hand, for a
PNG that only claims to be huge), a local HTTP server standing in for the cover source, and
moto's S3 server (a real HTTP server speaking S3)."""

from __future__ import annotations

import io
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from tests.conftest import require


def jpeg(width=300, height=450, color=(30, 90, 160), exif: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), color)
    buffer = io.BytesIO()
    extra = {}
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "Camera Maker"  # Make
        tags[0x010E] = "Taken at 12 Home Street"  # ImageDescription
        extra["exif"] = tags.tobytes()
    image.save(buffer, "JPEG", **extra)
    return buffer.getvalue()


def png(width=200, height=300, mode="RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), (200, 40, 40, 128) if mode == "RGBA" else 128).save(
        buffer, "PNG"
    )
    return buffer.getvalue()


def webp(width=240, height=360) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 60)).save(buffer, "WEBP")
    return buffer.getvalue()


def claimed_png(width: int, height: int) -> bytes:
    """A valid-looking PNG of a few bytes whose header claims ``width`` × ``height``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@dataclass
class CoverSource:
    """What the local cover source answers: ``images`` by ISBN, plus misbehaving paths."""

    port: int = 0
    images: dict[str, bytes] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def template(self) -> str:
        return self.base + "/b/isbn/{isbn}-L.jpg?default=false"

    def url(self, path: str) -> str:
        return self.base + path


def _handler(source: CoverSource):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def send(self, status: int, body: bytes = b"", kind="image/jpeg", **headers):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 (http.server's name)
            source.hits.append(self.path)
            path = self.path.split("?")[0]
            if path.startswith("/b/isbn/"):
                isbn = path.removeprefix("/b/isbn/").removesuffix("-L.jpg")
                if isbn in source.images:
                    return self.send(200, source.images[isbn])
                return self.send(404, b"not found", "text/plain")
            if path == "/cover.jpg":
                return self.send(200, source.images["plain"])
            if path == "/html":
                return self.send(200, b"<html>a page</html>", "text/html")
            if path == "/fake.jpg":
                return self.send(200, b"GIF89a not really a jpeg at all", "image/jpeg")
            if path == "/huge":  # says so up front
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(50 * 1024 * 1024))
                self.end_headers()
                return None
            if path == "/endless":  # no length; keeps sending
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for _ in range(200):
                        self.wfile.write(b"\xff" * 64 * 1024)
                except OSError:
                    pass
                return None
            if path == "/slow":  # one byte at a time, slower than any budget
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                try:
                    for _ in range(1000):
                        self.wfile.write(b"\xff")
                        self.wfile.flush()
                        time.sleep(0.05)
                except OSError:
                    pass
                return None
            if path == "/error":
                return self.send(503, b"busy", "text/plain")
            if path.startswith("/hop/"):  # /hop/N redirects N more times, then the cover
                n = int(path.removeprefix("/hop/"))
                target = f"/hop/{n - 1}" if n > 1 else "/cover.jpg"
                return self.send(302, b"", "text/plain", Location=target)
            if path == "/to-private":
                return self.send(302, b"", "text/plain", Location="https://127.0.0.2:9/x.jpg")
            return self.send(404, b"", "text/plain")

    return Handler


@pytest.fixture(scope="session")
def _cover_server():
    source = CoverSource()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(source))
    server.daemon_threads = True
    source.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield source
    server.shutdown()
    server.server_close()


@pytest.fixture
def cover_source(_cover_server) -> CoverSource:
    _cover_server.images.clear()
    _cover_server.hits.clear()
    _cover_server.images["plain"] = jpeg()
    return _cover_server


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on a free loopback port (real HTTP, real S3 protocol)."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        require(False, "moto[server] is not installed")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
