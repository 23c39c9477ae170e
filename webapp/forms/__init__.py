"""Flask-WTF forms: shape and format only; rules live in services."""

from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """Puts a CSRF token on a lone button (log out, delete)."""


def apply_error(form: FlaskForm, error) -> None:
    """Copy a service ValidationError onto the matching field (or the form) for re-rendering."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
