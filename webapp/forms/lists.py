"""List forms; the service checks lengths and gives the messages."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import Optional

from webapp.services.lists import MAX_NOTE, MAX_TITLE


class ListForm(FlaskForm):
    title = StringField("Title", render_kw={"maxlength": MAX_TITLE})
    description = TextAreaField("What the list is about (optional)", render_kw={"rows": 3})


class AddToListForm(FlaskForm):
    list_id = IntegerField("Add to your list", validators=[Optional()])
    note = TextAreaField(
        "Note on this book (optional)", render_kw={"maxlength": MAX_NOTE, "rows": 2}
    )


class NoteForm(FlaskForm):
    note = TextAreaField("Note", render_kw={"maxlength": MAX_NOTE, "rows": 2})


class PlaceForm(FlaskForm):
    """Text, not IntegerField: the service says what is wrong with "0" or "top"."""

    position = StringField("Place")
