"""``url_for`` answered from the addresses it has built before, inside a request.

A cold book page builds 16 URLs (the header's links, its authors', the sort and sign-in
links …), 4–10 µs each through werkzeug's map: ~4 % of the page. Inside a request a URL is a
function of the endpoint, its values and the request's adapter (script root, host, subdomain,
scheme) alone, as long as no URL defaults or build-error handlers are registered (none are)
and the routes are fixed (Flask refuses new ones once the app has served): so the string built
the first time is kept, keyed by all of them. Only plain values (``str`` and ``int``,
exactly; ``None`` is as if not given) are keyed, so ``1`` and ``True`` never share an entry;
relative endpoints (``.name``, per blueprint), other values and URLs built outside a request
go to Flask each time. The site-wide links are the same on every page, a book's own on each
drawing of it. Bounded: emptied past ``MEMO_SIZE`` entries.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.globals import _cv_request

MEMO_SIZE = 4096
_PLAIN = (str, int)


class ColophonFlask(Flask):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.url_memo: dict[tuple, str] = {}

    def url_for(self, endpoint: str, /, **values: Any) -> str:
        key = self._url_key(endpoint, values)
        if key is None:
            return super().url_for(endpoint, **values)
        url = self.url_memo.get(key)
        if url is None:
            url = super().url_for(endpoint, **values)
            if len(self.url_memo) >= MEMO_SIZE:
                self.url_memo.clear()
            self.url_memo[key] = url
        return url

    def _url_key(self, endpoint: str, values: dict) -> tuple | None:
        ctx = _cv_request.get(None)
        if ctx is None or endpoint[:1] == "." or ctx.url_adapter is None:
            return None
        if self.url_default_functions or self.url_build_error_handlers:
            return None
        adapter = ctx.url_adapter
        key = [adapter.script_name, adapter.server_name, adapter.subdomain, adapter.url_scheme]
        key.append(endpoint)
        for name, value in values.items():
            if value is None:  # as if not given (Flask's helper passes four such)
                continue
            if type(value) not in _PLAIN:
                return None
            key += (name, value)
        return tuple(key)
