from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from webapp.forms.auth import email_field, new_password_field

_current = {"autocomplete": "current-password"}


class EmailChangeForm(FlaskForm):
    email = email_field("New email")
    current_password = PasswordField(
        "Current password", validators=[DataRequired()], render_kw=_current
    )


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired()], render_kw=_current
    )
    new_password = new_password_field(
        "New password", "At least 10 characters. Your other sessions will be signed out."
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Password", validators=[DataRequired()], render_kw=_current)


class PrivacyForm(FlaskForm):
    private = BooleanField("Approve followers before they can follow me")


class NotificationsForm(FlaskForm):
    moderation = BooleanField("A review of mine is hidden, restored or removed")
    reports = BooleanField("The outcome of a report I made")
    replies = BooleanField("Someone replies to my review or to a thread I replied in")
    imports = BooleanField("A library import of mine is done")
    digest = RadioField(
        "How to send them",
        choices=[
            SelectChoice("each", "One mail for each event"),
            SelectChoice("daily", "One daily digest"),
        ],
        default="each",
    )


class BioForm(FlaskForm):
    # The length rule is the service's (services.users.MAX_BIO), in the site's words.
    bio = TextAreaField(
        "About you",
        description="Shown on your profile. Markdown works: **bold**, *italics*, links. "
        "Up to 1,000 characters.",
        render_kw={"maxlength": 1000, "rows": 4},
    )
