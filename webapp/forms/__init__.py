"""Flask-WTF forms: shape and format only; rules live in services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from flask_wtf import FlaskForm

from webapp.errors import ValidationError, ValidationErrors


class EmptyForm(FlaskForm):
    """Puts a CSRF token on a lone button (log out, delete)."""


class Deferred:
    """``form_class(**kwargs)``, made when first read. A book page's blank forms are drawn from
    the card cache (``shared`` in webapp/card_cache.py) on most views, and then never read:
    building them (fields, a CSRF token each) was ~4 % of a signed-in reader's page."""

    __slots__ = ("_form", "_make")

    def __init__(self, form_class: type[FlaskForm], **kwargs):
        self._make = partial(form_class, **kwargs)
        self._form: FlaskForm | None = None

    @property
    def form(self) -> FlaskForm:
        if self._form is None:
            try:
                self._form = self._make()
            except AttributeError as error:  # else it would read as this wrapper's own
                raise RuntimeError(f"building {self._make.func.__name__} failed") from error
        return self._form

    def __getattr__(self, name: str):
        if name in Deferred.__slots__:  # not set yet (copying, pickling): never the form's
            raise AttributeError(name)
        return getattr(self.form, name)

    def __getitem__(self, name: str):
        return self.form[name]

    def __iter__(self):
        return iter(self.form)

    def __contains__(self, name: str) -> bool:
        return name in self.form


def apply_error(form: FlaskForm, error: ValidationError) -> None:
    """Copy a service ValidationError onto the matching field (or the form) for re-rendering."""
    if isinstance(error, ValidationErrors):
        for each in error.errors:
            apply_error(form, each)
        return
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


@contextmanager
def errors_to(form: FlaskForm) -> Iterator[None]:
    """Run a service call; a ValidationError it raises lands beside the form's field instead.

    The rest of the block is skipped, so the view falls through to its ``invalid(...)`` line::

        with errors_to(form):
            accounts.change_email(current_user, form.password.data, form.email.data)
            return respond(url_for("account.index"), message="Your email address was changed.")
        return invalid("account/index.html", "account/_email_form.html", email_form=form)
    """
    try:
        yield
    except ValidationError as error:
        apply_error(form, error)
