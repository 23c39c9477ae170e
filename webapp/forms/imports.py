"""Upload form for a library export."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from webapp.services.imports import CHOICES, KEEP_MINE


class ImportForm(FlaskForm):
    file = FileField(
        "Library export (CSV)",
        validators=[FileRequired("Choose the CSV file your old site exported.")],
        description="Goodreads: My Books → Import and export → Export library. "
        "StoryGraph: Manage account → Export StoryGraph library. Up to 20 MB.",
    )
    choice = RadioField(
        "When a book is already on your shelves here with a different rating or shelf",
        choices=[SelectChoice(value, label) for value, label in CHOICES.items()],
        default=KEEP_MINE,
    )
