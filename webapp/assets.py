"""Static files through WhiteNoise: content-hashed URLs, gzip/brotli, cached for a year.

At startup every file under ``static/`` is hashed; a hashed copy (``css/site.<hash>.css``)
and its ``.gz``/``.br`` are built once into ``instance/assets/<build>/`` (never committed),
written to a temporary folder and renamed into place so several gunicorn workers starting
together never see half a file.

Browser code and fonts come from npm (``package.json`` + ``package-lock.json``; ``make install``
and the PaaS's Node.js buildpack run ``npm ci``): htmx from ``node_modules/htmx.org/dist`` and
the Literata and Inter variable fonts from ``@fontsource-variable/*``. They join the same build
(``vendor/htmx.min.<hash>.js``, ``vendor/fonts/<file>.<hash>.woff2``): no copy in the repository,
no CDN. The font's ``@font-face`` rules (``font-display: swap``) are rewritten to those hashed
URLs as ``css/fonts.css``, the first part of the bundle. A missing or stale ``node_modules``
stops the site at startup with what to run.

The stylesheets are also joined, in cascade order, into one bundle (``css/bundle.css``) built
and hashed the same way, so a page links one render-blocking stylesheet instead of several.

``asset_url("css/site.css")`` (a Jinja global) turns a logical name into its hashed URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"

HTMX_PACKAGE = "htmx.org"
HTMX_NAME = "vendor/htmx.min.js"
# Font package → its @font-face files: Literata (reading text and headings: upright and italic)
# and Inter (controls, navigation, figures; upright). Variable files, one per script subset;
# the browser fetches only the subsets a page's characters need (unicode-range).
FONTS = {
    "@fontsource-variable/literata": ("wght.css", "wght-italic.css"),
    "@fontsource-variable/inter": ("wght.css",),
}
FONT_CSS_NAME = "css/fonts.css"
FONT_URL_RE = re.compile(r"url\(\./files/([A-Za-z0-9._-]+\.woff2)\)")

CACHE_FOREVER = "public, max-age=31536000, immutable"
CACHE_UNHASHED = 60  # seconds, for the plain /static/css/site.css form
HASH_LENGTH = 12

# Bundle name → its parts in cascade order (later files win). Every stylesheet under static/css
# must be in the bundle: one left out would silently never load. The generated font faces go
# first, then tokens.css (the custom properties everything else uses).
BUNDLES = {
    "css/bundle.css": (
        FONT_CSS_NAME,
        "css/tokens.css",
        "css/site.css",
        "css/catalog.css",
        "css/reviews.css",
        "css/moderation.css",
        "css/reading.css",
        "css/interactions.css",
        "css/media.css",
    ),
}


class MissingPackages(RuntimeError):
    """node_modules lacks what package-lock.json names: the site cannot serve htmx or fonts."""


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:HASH_LENGTH]


def file_hash(path: Path) -> str:
    return content_hash(path.read_bytes())


def join_bundle(contents: dict[str, bytes], parts: tuple[str, ...]) -> bytes:
    """The parts one after another, each introduced by a comment naming its file."""
    return b"".join(
        f"/* {part} */\n".encode() + contents[part].rstrip(b"\n") + b"\n" for part in parts
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


def package_dir(node_modules: Path, package: str) -> Path:
    """The installed package, checked against package-lock.json when there is one."""
    folder = node_modules / package
    manifest = folder / "package.json"
    fix = "run `make install` (it runs `npm ci`); on a PaaS put the Node.js buildpack first"
    if not manifest.is_file():
        raise MissingPackages(f"{package} is not installed in {node_modules}: {fix}.")
    lock = node_modules.parent / "package-lock.json"
    if lock.is_file():
        wanted = json.loads(lock.read_text())["packages"].get(f"node_modules/{package}", {})
        installed = json.loads(manifest.read_text())["version"]
        if wanted.get("version") not in (None, installed):
            raise MissingPackages(
                f"{package} {installed} is installed but package-lock.json wants "
                f"{wanted['version']}: {fix}."
            )
    return folder


def vendor_files(node_modules: Path) -> tuple[dict[str, Path], bytes]:
    """Logical name → file in node_modules, and the font faces pointing at hashed names."""
    htmx = package_dir(node_modules, HTMX_PACKAGE) / "dist" / "htmx.min.js"
    files = {HTMX_NAME: htmx}
    css_parts = []
    for package, stylesheets in FONTS.items():
        font_dir = package_dir(node_modules, package)
        css = "\n".join((font_dir / name).read_text() for name in stylesheets)
        for font in FONT_URL_RE.findall(css):
            files[f"vendor/fonts/{font}"] = font_dir / "files" / font
        css_parts.append(css)
    css = "\n".join(css_parts)
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise MissingPackages(f"Missing from node_modules: {missing}: run `make install`.")

    def hashed_url(match: re.Match) -> str:  # relative to css/, where the bundle lives too
        name = f"vendor/fonts/{match.group(1)}"
        return f"url(../{hashed_name(name, file_hash(files[name]))})"

    return files, FONT_URL_RE.sub(hashed_url, css).encode()


@dataclass
class Assets:
    """The manifest (logical name → path under the static URL) and where the files live."""

    static_dir: Path
    build_dir: Path
    manifest: dict[str, str] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)
    generated: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def scan(cls, static_dir: Path, cache_dir: Path, node_modules: Path = NODE_MODULES) -> Assets:
        sources = {
            path.relative_to(static_dir).as_posix(): path
            for path in sorted(static_dir.rglob("*"))
            if path.is_file() and not path.name.startswith(".")
        }
        _check_bundled(sources)
        vendor, font_css = vendor_files(node_modules)
        sources.update(vendor)
        contents = {name: path.read_bytes() for name, path in sources.items()}
        generated = {FONT_CSS_NAME: font_css}
        contents.update(generated)
        for name, parts in BUNDLES.items():
            generated[name] = join_bundle(contents, parts)
        manifest = {name: hashed_name(name, file_hash(path)) for name, path in sources.items()}
        for name, content in generated.items():
            manifest[name] = hashed_name(name, content_hash(content))
        build = hashlib.sha256(repr(sorted(manifest.items())).encode()).hexdigest()[:HASH_LENGTH]
        return cls(static_dir, cache_dir / build, manifest, sources, generated)

    def build(self) -> None:
        """Write hashed and plain copies plus compressed variants, unless already built."""
        if self.build_dir.is_dir():
            return
        self.build_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=self.build_dir.parent))
        try:
            compressor = Compressor(quiet=True)
            contents = {name: source.read_bytes() for name, source in self.sources.items()}
            for name, content in {**contents, **self.generated}.items():
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

    def url_function(self, prefix: str) -> Callable[[str], str]:
        """``asset_url`` for templates with every URL joined once: a dict lookup a call, not
        two proxy lookups and a join (five a page)."""
        urls = {name: f"{prefix}/{path}" for name, path in self.manifest.items()}

        def template_asset_url(name: str) -> str:
            found = urls.get(name)
            return self.url(name) if found is None else found  # a missing name: LookupError

        return template_asset_url


def is_immutable(path: str, url: str) -> bool:
    """Hashed names never change content."""
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
    app.jinja_env.globals["asset_url"] = assets.url_function(app.static_url_path)

    static = app.static_url_path.strip("/")
    whitenoise = WhiteNoise(
        wsgi_app,
        max_age=CACHE_UNHASHED,
        immutable_file_test=is_immutable,
        add_headers_function=_cache_headers,
        allow_all_origins=False,
    )
    whitenoise.add_files(str(assets.build_dir), prefix=f"{static}/")
    return whitenoise


def asset_url(name: str) -> str:
    """``asset_url('css/site.css')`` → ``/static/css/site.<hash>.css``."""
    assets: Assets = current_app.extensions["colophon_assets"]
    return f"{current_app.static_url_path}/{assets.url(name)}"
