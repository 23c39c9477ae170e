"""Forms for reporting and for staff actions (shape only; the rules are in the services)."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webapp.models.base import MAX_INT


class ReportForm(FlaskForm):
    # Choices are rendered by hand (templates/_macros/report.html) and checked by
    # the service: plain string fields avoid wtforms' changing choices API (3.3 deprecations).
    reason = StringField(
        "Why are you reporting this?",
        validators=[DataRequired(message="Choose a reason for the report.")],
    )
    note = TextAreaField(
        "Anything moderators should know? (optional)",
        validators=[Optional(), Length(max=1000)],
        render_kw={"rows": 3},
    )
    next = HiddenField()


class HideForm(FlaskForm):
    reason = StringField(
        "Reason the author will see",
        validators=[
            DataRequired(message="Give a reason; the author will see it."),
            Length(max=500),
        ],
    )


class BulkForm(FlaskForm):
    action = StringField("With the ticked reviews", validators=[DataRequired()])
    reason = StringField("Reason (for hiding)", validators=[Optional(), Length(max=500)])


class SuspendForm(FlaskForm):
    days = IntegerField(
        "Days",
        validators=[Optional(), NumberRange(min=1, max=3650)],
        description="Leave empty and tick “Indefinitely” for no end date.",
    )
    indefinitely = BooleanField("Indefinitely")
    reason = StringField(
        "Reason",
        validators=[DataRequired(message="Give a reason for the suspension."), Length(max=500)],
    )


class RoleForm(FlaskForm):
    role = StringField("Role", validators=[DataRequired()])


class MergeForm(FlaskForm):
    target_id = IntegerField(
        "Merge into book number",
        validators=[
            DataRequired(message="Give the number of the book to keep."),
            NumberRange(1, MAX_INT, message="There is no book with that number."),
        ],
        description="The number in the kept book's address, e.g. 42 in /books/42-….",
    )
