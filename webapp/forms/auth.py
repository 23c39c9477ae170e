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
    username = StringField(
        "Username",
        validators=[DataRequired(), Length(min=3, max=30)],
        description="3–30 letters, digits, _ or -.",
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    email = email_field("Email")
    password = new_password_field(
        "Password", "At least 10 characters; common passwords are refused."
    )


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
