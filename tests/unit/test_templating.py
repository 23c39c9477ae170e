"""webapp/templating.py: imported macro templates answer as Jinja's own would, cheaper."""

from __future__ import annotations

from jinja2 import DictLoader, Template

from webapp.templating import ColophonTemplate

SOURCES = {
    "m.html": "{% macro hi() %}{{ greeting|default('none') }}{% endmacro %}",
    "page.html": '{% from "m.html" import hi %}{{ hi() }}',
    "other.html": '{% from "m.html" import hi %}{{ hi() }}',
}


def renders(app, template_class: type[Template]) -> list[str]:
    """The same imports, in the same order, under ``template_class``."""
    env = app.jinja_env.overlay(loader=DictLoader(SOURCES))
    env.globals = dict(app.jinja_env.globals)  # its own, so the test can add to it
    env.template_class = template_class
    seen = [env.get_template("page.html").render()]
    # An importer with a global of its own that the imported template lacks: a fresh module.
    seen.append(env.get_template("other.html", globals={"greeting": "hello"}).render())
    seen.append(env.get_template("page.html").render())
    # A global added to the environment later (the imported module is already kept).
    env.globals["greeting"] = "later"
    seen.append(env.get_template("page.html").render())
    seen.append(env.get_template("other.html").render())
    return seen


def test_imports_see_the_globals_jinja_would_show_them(app):
    ours = renders(app, ColophonTemplate)
    assert ours == renders(app, Template)
    assert ours[:3] == ["none", "hello", "none"]
