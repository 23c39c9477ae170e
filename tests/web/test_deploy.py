"""Production behaviour behind a proxy: HTTPS, headers on every response, cookies, static
files, request logs. Production-mode apps get their SECRET_KEY in the config dict."""

from __future__ import annotations

import gzip
import json
import re
import secrets

import brotli
import pytest
from flask import request, url_for

from tests.conftest import csrf_from
from webapp.assets import NODE_MODULES
from webapp.config import ROOT
from webapp.security import CONTENT_SECURITY_POLICY

STRONG_SECRET = secrets.token_hex(32)
HTTP = "http://localhost"
HTTPS = {"X-Forwarded-Proto": "https"}
EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
FOREVER = "public, max-age=31536000, immutable"


@pytest.fixture
def prod(make_app):
    """A production-mode app (FORCE_HTTPS, one trusted proxy hop, Secure cookies)."""
    return make_app(COLOPHON_ENV="production", SECRET_KEY=STRONG_SECRET)


def fetch(client, path, **kwargs):
    """GET and read the whole body, closing the response (static files are open files)."""
    with client.get(path, **kwargs) as response:
        response.body = response.get_data()
    return response


def asset_href(html: str, pattern: str) -> str:
    return re.search(rf'(?:href|src)="(/static/{pattern})"', html).group(1)


def assert_security_headers(response, https: bool) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == EXPECTED_CSP
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "unsafe-eval" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert ("Strict-Transport-Security" in headers) is https
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])


def test_csp_constant_is_the_agreed_policy():
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP


# --- proxy and HTTPS ---------------------------------------------------------------------


def test_forwarded_https_gives_https_urls_and_no_redirect(prod):
    @prod.get("/_where")
    def where():
        return {"url": url_for("main.home", _external=True), "ip": request.remote_addr}

    client = prod.test_client()
    headers = {**HTTPS, "X-Forwarded-Host": "colophon.example", "X-Forwarded-For": "203.0.113.9"}
    response = client.get("/_where", base_url=HTTP, headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {"url": "https://colophon.example/", "ip": "203.0.113.9"}
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize(
    ("method", "status"), [("GET", 301), ("HEAD", 301), ("POST", 308)], ids=str
)
def test_plain_http_is_redirected_to_https(prod, method, status):
    response = prod.test_client().open(
        "/login?next=%2Faccount", method=method, base_url=HTTP, headers={"Host": "colophon.example"}
    )
    assert response.status_code == status
    assert response.headers["Location"] == "https://colophon.example/login?next=%2Faccount"
    assert_security_headers(response, https=False)


def test_healthz_answers_plain_http_for_platform_checks(prod):
    response = prod.test_client().get("/healthz", base_url=HTTP)
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers


def test_static_files_are_redirected_too(prod):
    response = prod.test_client().get("/static/css/site.css", base_url=HTTP)
    assert response.status_code == 301


def test_forwarded_headers_are_ignored_without_trusted_hops(make_app):
    app = make_app(COLOPHON_ENV="production", SECRET_KEY=STRONG_SECRET, PROXY_FIX_HOPS=0)

    @app.get("/_scheme")
    def scheme():
        return request.scheme

    response = app.test_client().get("/_scheme", base_url=HTTP, headers=HTTPS)
    assert response.status_code == 301  # X-Forwarded-Proto from an untrusted hop: still HTTP


def test_testing_mode_neither_redirects_nor_sends_hsts(client):
    response = client.get("/")
    assert response.status_code == 200
    assert_security_headers(response, https=False)


# --- headers on every kind of response ----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/", {}, 200),
        ("/signup", {}, 200),
        ("/login", {"HX-Request": "true"}, 200),
        ("/no/such/page", {}, 404),
        ("/no/such/page", {"HX-Request": "true"}, 404),
        ("/static/css/site.css", {}, 200),
        ("/favicon.ico", {}, 200),
    ],
    ids=["page", "signup", "htmx-fragment", "404-page", "404-fragment", "static", "favicon"],
)
def test_security_headers_on_every_response(prod, path, headers, status):
    response = fetch(prod.test_client(), path, base_url=HTTP, headers={**HTTPS, **headers})
    assert response.status_code == status
    assert_security_headers(response, https=True)
    if headers.get("HX-Request") and status == 200:
        assert b"<html" not in response.body


def test_security_headers_on_500_page(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaput")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert_security_headers(response, https=False)


def test_security_headers_on_static_asset_with_hashed_name(prod):
    client = prod.test_client()
    html = client.get("/", base_url=HTTP, headers=HTTPS).get_data(as_text=True)
    response = fetch(client, asset_href(html, r"js/site\.[0-9a-f]{12}\.js"), headers=HTTPS)
    assert response.status_code == 200
    assert_security_headers(response, https=True)


# --- cookies --------------------------------------------------------------------------------


def cookie_header(response, name: str) -> str:
    found = [v for v in response.headers.getlist("Set-Cookie") if v.startswith(f"{name}=")]
    assert found, f"no {name} cookie in {response.headers.getlist('Set-Cookie')}"
    return found[-1]


def assert_strict_cookie(value: str) -> None:
    attributes = {part.strip().split("=")[0].lower() for part in value.split(";")[1:]}
    assert {"secure", "httponly"} <= attributes
    assert "SameSite=Lax" in value


def test_signup_over_https_sets_secure_cookies(prod, users):
    client = prod.test_client()
    https = {**HTTPS, "Referer": "https://localhost/signup"}
    token = csrf_from(client.get("/signup", base_url=HTTP, headers=https).get_data(as_text=True))
    form = {
        "csrf_token": token,
        "username": "secure_reader",
        "email": "secure@example.com",
        "password": "a long enough secret",
    }
    response = client.post("/signup", data=form, base_url=HTTP, headers=https)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert_strict_cookie(cookie_header(response, "session"))


def test_remember_me_cookie_is_secure(prod, users):
    users("returning")
    client = prod.test_client()
    https = {**HTTPS, "Referer": "https://localhost/login"}
    token = csrf_from(client.get("/login", base_url=HTTP, headers=https).get_data(as_text=True))
    form = {
        "csrf_token": token,
        "login": "returning",
        "password": users.password,
        "remember": "y",
    }
    response = client.post("/login", data=form, base_url=HTTP, headers=https)
    assert response.status_code == 303
    assert_strict_cookie(cookie_header(response, "session"))
    assert_strict_cookie(cookie_header(response, "remember_token"))


# --- static files ---------------------------------------------------------------------------


def test_pages_link_hashed_assets(client):
    html = client.get("/").get_data(as_text=True)
    for pattern in (
        r"css/bundle\.[0-9a-f]{12}\.css",
        r"js/site\.[0-9a-f]{12}\.js",
        r"img/favicon\.[0-9a-f]{12}\.svg",
        r"vendor/htmx\.min\.[0-9a-f]{12}\.js",
    ):
        assert asset_href(html, pattern)
    assert "/vendor/htmx.min.js" not in html
    # One preload, the body face, hashed and fetched in CORS mode (as @font-face fetches it).
    preloads = re.findall(r'<link rel="preload"[^>]*>', html)
    assert len(preloads) == 1
    assert re.search(r'href="[^"]*literata-latin-wght-normal\.[0-9a-f]{12}\.woff2"', preloads[0])
    assert 'as="font"' in preloads[0] and "crossorigin" in preloads[0]
    assert len(re.findall(r'<link rel="stylesheet"', html)) == 1


def test_one_stylesheet_bundles_every_css_file_in_cascade_order(app, client):
    from webapp.assets import BUNDLES, asset_url

    parts = BUNDLES["css/bundle.css"]
    assert set(parts) == {
        p.relative_to(ROOT / "static").as_posix() for p in ROOT.glob("static/css/*.css")
    } | {"css/fonts.css"}
    assert parts[:3] == ("css/fonts.css", "css/tokens.css", "css/site.css")  # faces, tokens, base
    with app.test_request_context():
        url = asset_url("css/bundle.css")
    response = fetch(client, url, headers={"Accept-Encoding": "br"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == FOREVER
    assert response.headers["Content-Type"].startswith("text/css")
    body = brotli.decompress(response.body).decode()
    positions = [body.index(f"/* {part} */\n") for part in parts]
    assert positions == sorted(positions)
    for part in parts[1:]:
        assert (ROOT / "static" / part).read_text().strip() in body


def test_a_stylesheet_left_out_of_the_bundle_fails_at_startup(tmp_path):
    from webapp.assets import Assets

    (tmp_path / "css").mkdir()
    for name in ("site", "catalog", "reviews", "moderation", "forgotten"):
        (tmp_path / "css" / f"{name}.css").write_text(f".{name} {{}}")
    with pytest.raises(LookupError, match="css/forgotten.css"):
        Assets.scan(tmp_path, tmp_path / "build")


@pytest.mark.parametrize("encoding", ["gzip", "br"])
@pytest.mark.parametrize("name", ["css/site.css", "js/site.js"])
def test_hashed_assets_are_compressed_and_cached_forever(app, client, name, encoding):
    from webapp.assets import asset_url

    with app.test_request_context():
        url = asset_url(name)
    response = fetch(client, url, headers={"Accept-Encoding": encoding})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == FOREVER
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    decode = gzip.decompress if encoding == "gzip" else brotli.decompress
    assert decode(response.body) == (ROOT / "static" / name).read_bytes()


def test_htmx_comes_from_npm_compressed_and_immutable(app, client):
    from webapp.assets import HTMX_NAME, asset_url

    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/htmx.org"]["version"] == "2.0.11"
    with app.test_request_context():
        url = asset_url(HTMX_NAME)
    response = fetch(client, url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == FOREVER
    assert response.headers["Content-Encoding"] == "gzip"
    body = gzip.decompress(response.body)
    assert body == (NODE_MODULES / "htmx.org/dist/htmx.min.js").read_bytes()
    assert b'version:"2.0.11"' in body
    plain = fetch(client, url)
    assert "Content-Encoding" not in plain.headers and plain.body == body


def test_font_faces_point_at_hashed_self_hosted_fonts(app, client):
    from webapp.assets import asset_url

    with app.test_request_context():
        bundle = fetch(client, asset_url("css/bundle.css")).body.decode()
    every_face = re.findall(r"@font-face \{[^}]*\}", bundle)
    faces = [face for face in every_face if "url(" in face]
    assert len(faces) == 21  # 7 script subsets: Literata upright and italic, Inter upright
    # Local faces scaled to the web fonts' room, regular and bold of each (css/tokens.css).
    fallbacks = [face for face in every_face if "local(" in face]
    assert len(fallbacks) == 4 and len(every_face) == 25
    assert all("size-adjust" in face and "ascent-override" in face for face in fallbacks)
    assert re.search(r'--font-text: "Literata Variable", "Literata Fallback"', bundle)
    assert re.search(r'--font-ui: "Inter Variable", "Inter Fallback"', bundle)
    assert all("font-display: swap" in face for face in faces)
    assert sum("Literata Variable" in face for face in faces) == 14
    urls = re.findall(r"url\(([^)]+)\)", bundle)
    assert len(urls) == 21 and all(
        re.fullmatch(r"\.\./vendor/fonts/[\w-]+\.[0-9a-f]{12}\.woff2", u) for u in urls
    )
    font = fetch(client, "/static/" + urls[0].removeprefix("../"))
    assert font.status_code == 200
    assert font.headers["Content-Type"] == "font/woff2"
    assert font.headers["Cache-Control"] == FOREVER
    assert font.body[:4] == b"wOF2"
    assert re.search(r'--font-text: "Literata Variable"', bundle)
    assert "var(--font-text)" in bundle.split("body {")[1].split("}")[0]


def test_missing_or_stale_node_modules_fail_at_startup_with_the_fix(tmp_path):
    from webapp.assets import Assets, MissingPackages

    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    with pytest.raises(MissingPackages, match=r"htmx.org is not installed .* `make install`"):
        Assets.scan(static, tmp_path / "build", node_modules=tmp_path / "node_modules")
    (tmp_path / "node_modules" / "htmx.org").mkdir(parents=True)
    (tmp_path / "node_modules" / "htmx.org" / "package.json").write_text('{"version": "2.0.3"}')
    (tmp_path / "package-lock.json").write_text(
        '{"packages": {"node_modules/htmx.org": {"version": "2.0.11"}}}'
    )
    with pytest.raises(
        MissingPackages, match="2.0.3 is installed but package-lock.json wants 2.0.11"
    ):
        Assets.scan(static, tmp_path / "build", node_modules=tmp_path / "node_modules")


def test_unhashed_static_urls_still_work_with_a_short_cache(app, client):
    with app.test_request_context():
        url = url_for("static", filename="css/site.css")
    response = fetch(client, url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=60, public"
    assert response.body == (ROOT / "static" / "css" / "site.css").read_bytes()


def test_unknown_asset_name_fails_loudly(app):
    from webapp.assets import asset_url

    with app.test_request_context(), pytest.raises(LookupError, match="css/nope.css"):
        asset_url("css/nope.css")


def test_asset_manifest_covers_every_static_file(app):
    assets = app.extensions["colophon_assets"]
    files = {p.relative_to(ROOT / "static").as_posix() for p in (ROOT / "static").rglob("*.*")}
    assert files <= set(assets.manifest)
    assert assets.build_dir.is_dir() and not assets.build_dir.is_relative_to(ROOT / "static")


# --- logs -----------------------------------------------------------------------------------


def log_lines(capsys) -> list[dict]:
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_one_json_line_per_request_with_request_id(client, capsys):
    capsys.readouterr()
    response = fetch(client, "/login", headers={"X-Request-ID": "router-abc.123"})
    assert response.headers["X-Request-ID"] == "router-abc.123"
    fetch(client, "/no/such/page")
    lines = [e for e in log_lines(capsys) if e["logger"] == "webapp.request"]
    assert [(e["method"], e["path"], e["status"]) for e in lines] == [
        ("GET", "/login", 200),
        ("GET", "/no/such/page", 404),
    ]
    assert lines[0]["request_id"] == "router-abc.123"
    assert re.fullmatch(r"[0-9a-f]{32}", lines[1]["request_id"])
    assert all(isinstance(e["duration_ms"], float) and e["duration_ms"] >= 0 for e in lines)


def test_a_malformed_request_id_is_replaced(client, capsys):
    response = fetch(client, "/", headers={"X-Request-ID": "bad id\u00e9 " + "x" * 300})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_errors_are_logged_as_json_with_the_trace_never_shown(make_app, capsys):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    capsys.readouterr()
    response = fetch(app.test_client(), "/boom", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert b"secret internals" not in response.body and b"Traceback" not in response.body
    errors = [e for e in log_lines(capsys) if e["level"] == "ERROR"]
    assert len(errors) == 1
    assert errors[0]["request_id"] == "req-42"
    assert "Traceback" in errors[0]["exception"]
    assert "RuntimeError: secret internals" in errors[0]["exception"]
