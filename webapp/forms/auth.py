from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class SignupForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[DataRequired(), Length(min=3, max=30)],
        description="3–30 letters, digits, _ or -.",
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    email = EmailField(
        "Email", validators=[DataRequired(), Length(max=254)], render_kw={"autocomplete": "email"}
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=10, max=1024)],
        description="At least 10 characters; common passwords are refused.",
        render_kw={"autocomplete": "new-password"},
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
