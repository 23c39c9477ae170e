from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

_current = {"autocomplete": "current-password"}


class EmailChangeForm(FlaskForm):
    email = EmailField(
        "New email",
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    current_password = PasswordField(
        "Current password", validators=[DataRequired()], render_kw=_current
    )


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired()], render_kw=_current
    )
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=10, max=1024)],
        description="At least 10 characters. Your other sessions will be signed out.",
        render_kw={"autocomplete": "new-password"},
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Password", validators=[DataRequired()], render_kw=_current)
