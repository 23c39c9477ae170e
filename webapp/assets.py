"""Static files through WhiteNoise: content-hashed URLs, gzip/brotli, cached for a year.

At startup every file under ``static/`` is hashed; a hashed copy (``css/site.<hash>.css``)
and its ``.gz``/``.br`` are built once into ``instance/assets/<build>/`` (never committed),
written to a temporary folder and renamed into place so several gunicorn workers starting
together never see half a file. htmx is served straight from the installed
``django-js-lib-htmx`` wheel under a prefix that carries its hash
(``vendor/htmx/<hash>/htmx.min.js``, gzip from the ``.gz`` the wheel ships): no copy, no CDN.

The stylesheets are also joined, in cascade order, into one bundle (``css/bundle.css``) built
and hashed the same way, so a page links one render-blocking stylesheet instead of four.

``asset_url("css/site.css")`` (a Jinja global) turns a logical name into its hashed URL.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from flask import Flask, current_app
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

HTMX_DIR = Path(str(resources.files("js_lib_htmx") / "static" / "htmx"))
HTMX_FILE = "htmx.min.js"
HTMX_NAME = "vendor/htmx.min.js"

CACHE_FOREVER = "public, max-age=31536000, immutable"
CACHE_UNHASHED = 60  # seconds, for the plain /static/css/site.css form
HASH_LENGTH = 12

# Bundle name → its parts in cascade order (later files win). Every stylesheet under static/css
# must be in the bundle: one left out would silently never load.
BUNDLES = {
    "css/bundle.css": (
        "css/site.css",
        "css/catalog.css",
        "css/reviews.css",
        "css/moderation.css",
        "css/reading.css",
    ),
}


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:HASH_LENGTH]


def file_hash(path: Path) -> str:
    return content_hash(path.read_bytes())


def join_bundle(static_dir: Path, parts: tuple[str, ...]) -> bytes:
    """The parts one after another, each introduced by a comment naming its file."""
    return b"".join(
        f"/* {part} */\n".encode() + (static_dir / part).read_bytes().rstrip(b"\n") + b"\n"
        for part in parts
    )


def _check_bundled(sources: dict[str, Path]) -> None:
    bundled = {part for parts in BUNDLES.values() for part in parts}
    stylesheets = {name for name in sources if name.endswith(".css")}
    if stylesheets - bundled:
        raise LookupError(
            f"Stylesheets missing from assets.BUNDLES: {sorted(stylesheets - bundled)}"
        )


def hashed_name(name: str, digest: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot and "/" not in suffix else f"{name}.{digest}"


@dataclass
class Assets:
    """The manifest (logical name → path under the static URL) and where the files live."""

    static_dir: Path
    build_dir: Path
    manifest: dict[str, str] = field(default_factory=dict)
    htmx_prefix: str = ""
    sources: dict[str, Path] = field(default_factory=dict)
    bundles: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def scan(cls, static_dir: Path, cache_dir: Path) -> Assets:
        sources = {
            path.relative_to(static_dir).as_posix(): path
            for path in sorted(static_dir.rglob("*"))
            if path.is_file() and not path.name.startswith(".")
        }
        _check_bundled(sources)
        manifest = {name: hashed_name(name, file_hash(path)) for name, path in sources.items()}
        bundles = {name: join_bundle(static_dir, parts) for name, parts in BUNDLES.items()}
        for name, content in bundles.items():
            manifest[name] = hashed_name(name, content_hash(content))
        htmx_prefix = f"vendor/htmx/{file_hash(HTMX_DIR / HTMX_FILE)}/"
        manifest[HTMX_NAME] = htmx_prefix + HTMX_FILE
        build = hashlib.sha256(repr(sorted(manifest.items())).encode()).hexdigest()[:HASH_LENGTH]
        return cls(static_dir, cache_dir / build, manifest, htmx_prefix, sources, bundles)

    def build(self) -> None:
        """Write hashed and plain copies plus compressed variants, unless already built."""
        if self.build_dir.is_dir():
            return
        self.build_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=self.build_dir.parent))
        try:
            compressor = Compressor(quiet=True)
            contents = {name: source.read_bytes() for name, source in self.sources.items()}
            for name, content in {**contents, **self.bundles}.items():
                for target_name in (name, self.manifest[name]):
                    target = tmp / target_name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(content)
                    if compressor.should_compress(target.name):
                        compressor.compress(str(target))
            os.rename(tmp, self.build_dir)
        except OSError:
            if not self.build_dir.is_dir():  # not "another worker finished first"
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def url(self, name: str) -> str:
        try:
            return self.manifest[name]
        except KeyError:
            raise LookupError(f"No static asset {name!r} (looked in {self.static_dir})") from None


def is_immutable(path: str, url: str) -> bool:
    """Hashed names and the hash-prefixed htmx folder never change content."""
    if "/vendor/htmx/" in url:
        return True
    stem = url.rsplit("/", 1)[-1].split(".")
    return len(stem) >= 3 and len(stem[-2]) == HASH_LENGTH and _is_hex(stem[-2])


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def _cache_headers(headers, path: str, url: str) -> None:
    if is_immutable(path, url):
        headers["Cache-Control"] = CACHE_FOREVER


def init_app(app: Flask, wsgi_app):
    """Build the manifest, register ``asset_url`` and return ``wsgi_app`` wrapped in WhiteNoise."""
    cache_dir = Path(app.config.get("ASSETS_BUILD_DIR") or Path(app.instance_path) / "assets")
    assets = Assets.scan(Path(app.static_folder), cache_dir)
    assets.build()
    app.extensions["colophon_assets"] = assets
    app.jinja_env.globals["asset_url"] = asset_url

    static = app.static_url_path.strip("/")
    whitenoise = WhiteNoise(
        wsgi_app,
        max_age=CACHE_UNHASHED,
        immutable_file_test=is_immutable,
        add_headers_function=_cache_headers,
        allow_all_origins=False,
    )
    whitenoise.add_files(str(assets.build_dir), prefix=f"{static}/")
    whitenoise.add_files(str(HTMX_DIR), prefix=f"{static}/{assets.htmx_prefix}")
    return whitenoise


def asset_url(name: str) -> str:
    """``asset_url('css/site.css')`` → ``/static/css/site.<hash>.css``."""
    assets: Assets = current_app.extensions["colophon_assets"]
    return f"{current_app.static_url_path}/{assets.url(name)}"
