from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


def email_field(label: str, description: str = "") -> EmailField:
    return EmailField(
        label,
        validators=[DataRequired(), Length(max=254)],
        description=description,
        render_kw={"autocomplete": "email"},
    )


def new_password_field(label: str, description: str) -> PasswordField:
    """A password being chosen (sign-up, change); the service checks the rest of the rules."""
    return PasswordField(
        label,
        validators=[DataRequired(), Length(min=10, max=1024)],
        description=description,
        render_kw={"autocomplete": "new-password"},
    )


class SignupForm(FlaskForm):
    """No field validators: services.account_rules.check_sign_up checks every field at once, in the
    site's own words (WTForms would say "Field must be between 10 and 1024 characters long")."""

    username = StringField(
        "Username",
        description="3–30 letters, digits, _ or -.",
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    email = EmailField("Email", render_kw={"autocomplete": "email"})
    password = PasswordField(
        "Password",
        description="At least 10 characters; common passwords are refused.",
        render_kw={"autocomplete": "new-password"},
    )
    next = HiddenField()


class LoginForm(FlaskForm):
    login = StringField(
        "Username or email",
        validators=[DataRequired()],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password", validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField("Remember me")
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = email_field("Email", "The address your account uses.")


class ResetPasswordForm(FlaskForm):
    password = new_password_field(
        "New password", "At least 10 characters. Every session of yours will be signed out."
    )
