"""Flask-WTF forms: shape and format only; rules live in services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_wtf import FlaskForm

from webapp.errors import ValidationError, ValidationErrors


class EmptyForm(FlaskForm):
    """Puts a CSRF token on a lone button (log out, delete)."""


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
