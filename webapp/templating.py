"""Jinja's ``{% from … import … %}`` without its per-import cost.

An imported template's module is cached once, unless the importing context has globals the
imported template lacks (then it is made afresh with them). Jinja finds that out with
``ctx.globals_keys - self.globals.keys()``: a set minus a ``ChainMap``'s keys view, walked in
Python over every global (~90 here, each looked up in two maps) — 0.08 ms an import, five on a
book page, ~5 % of a cold visitor's page. The same question is asked here against the
template's global names frozen the first time it is imported; names added to the environment
later are missing from that set, so such a context makes a fresh module as Jinja would: never
a module without a global it should see.
"""

from __future__ import annotations

from flask import Flask
from jinja2 import Template
from jinja2.environment import TemplateModule
from jinja2.runtime import Context


class ColophonTemplate(Template):
    _global_names: frozenset[str] | None = None

    def _get_default_module(self, ctx: Context | None = None) -> TemplateModule:
        if self.environment.is_async:
            return super()._get_default_module(ctx)  # which says it is not available
        if ctx is not None:
            names = self._global_names
            if names is None:
                names = self._global_names = frozenset(self.globals)
            if not ctx.globals_keys <= names:
                return super()._get_default_module(ctx)
        if self._module is None:
            self._module = self.make_module()
        return self._module


def init_app(app: Flask) -> None:
    app.jinja_env.template_class = ColophonTemplate
