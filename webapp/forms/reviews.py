"""Rating/review and shelf forms. Choices are validated by the services, not here."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from webapp.models import SHELVES
from webapp.services.reads import today
from webapp.services.reviews import MAX_TITLE, STAR_CHOICES


class ReviewForm(FlaskForm):
    # validate_choice=False: services.reviews.parse_stars gives the reader-facing message.
    rating = RadioField(
        "Your rating",
        choices=[
            SelectChoice(value, f"{value} star" if value == "1" else f"{value} stars")
            for value in STAR_CHOICES
        ],
        validate_choice=False,
        validators=[Optional()],
    )
    title = StringField("Title (optional)", render_kw={"maxlength": MAX_TITLE})
    body = TextAreaField(
        "Your review (optional)",
        description="Markdown works: **bold**, *italics*, > quotes, lists and links.",
    )
    spoiler = BooleanField("This review contains spoilers")

    @classmethod
    def for_review(cls, review) -> "ReviewForm":
        return cls(
            data={
                "rating": "" if review.rating is None else f"{review.stars:g}",
                "title": review.title or "",
                "body": review.body or "",
                "spoiler": review.spoiler,
            }
        )


class ShelfForm(FlaskForm):
    status = SelectField(
        "Shelf",
        choices=[
            *(SelectChoice(key, label) for key, label in SHELVES.items()),
            SelectChoice("", "Not on a shelf"),
        ],
        validate_choice=False,
    )
    # Shelving as Read (or Did not finish) offers today; an empty date means "don't remember".
    finished_on = DateField("Finished on", validators=[Optional()], default=today)
