"""Forms for reads, progress, tags, goals and reading privacy. Rules live in the services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from webapp.forms import Deferred
from webapp.models import FORMATS, GOAL_KINDS, READ_STATUSES
from webapp.models.reading import MAX_NOTE, MAX_TAG
from webapp.services.reads import ReadData


class ReadForm(FlaskForm):
    status = SelectField(
        "Status",
        choices=[SelectChoice(k, v) for k, v in READ_STATUSES.items()],
        validate_choice=False,
    )
    started_on = DateField("Started", validators=[Optional()])
    finished_on = DateField(
        "Finished or stopped",
        validators=[Optional()],
        description="Leave a date empty when you don't remember it.",
    )
    format = SelectField(
        "Format",
        choices=[
            SelectChoice("", "Not recorded"),
            *(SelectChoice(k, v) for k, v in FORMATS.items()),
        ],
        validate_choice=False,
    )

    def data_for_service(self) -> ReadData:
        return ReadData(
            self.status.data, self.started_on.data, self.finished_on.data, self.format.data or None
        )

    @classmethod
    def for_read(cls, read) -> ReadForm:
        return cls(
            data={
                "status": read.status,
                "started_on": read.started_on,
                "finished_on": read.finished_on,
                "format": read.format or "",
            }
        )


class ProgressForm(FlaskForm):
    page = StringField("Page", render_kw={"inputmode": "numeric", "size": 5})
    percent = StringField("or %", render_kw={"inputmode": "numeric", "size": 4})
    note = StringField("Note (optional)", render_kw={"maxlength": MAX_NOTE})
    next = HiddenField()


class TagsForm(FlaskForm):
    tags = StringField(
        "Your tags",
        description="Separate tags with commas, e.g. favourites, book club 2025.",
        render_kw={"autocomplete": "off"},
    )


class PrivateNotesForm(FlaskForm):
    """The reader's private notes, copies owned and content warnings on a shelved book."""

    notes = TextAreaField("Notes")
    owned_copies = StringField("Copies you own")
    content_warnings = TextAreaField("Content warnings")


class TagRenameForm(FlaskForm):
    name = StringField("New name", render_kw={"maxlength": MAX_TAG})


class TagMergeForm(FlaskForm):
    target_id = SelectField("Merge into", choices=[], validate_choice=False)


class GoalForm(FlaskForm):
    year = HiddenField()
    target = StringField("How many", render_kw={"inputmode": "numeric", "size": 7})
    kind = RadioField(
        "Count",
        choices=[SelectChoice(k, v) for k, v in GOAL_KINDS.items()],
        default="books",
        validate_choice=False,
    )

    @classmethod
    def for_goal(cls, standing) -> GoalForm:
        """This year's goal, or an empty one for this year."""
        from webapp.services.reads import today

        if standing is None:
            return cls(formdata=None, data={"year": today().year, "kind": "books"})
        goal = standing.goal
        return cls(
            formdata=None, data={"year": goal.year, "kind": goal.kind, "target": goal.target}
        )


class PrivacyForm(FlaskForm):
    reading_private = BooleanField(
        "Keep my reading private",
        description="Your reads, progress, tags, goal and stats are then shown to you alone.",
    )


def reading_context(user, book, **given) -> dict:
    """What reads/_reading.html needs for ``user``'s record of ``book`` (forms fresh unless given).

    Shared by the book page and the reads/tags views, so the section renders the same either way.
    """
    from webapp.services import reads, shelves, tags

    context = {
        "book": book,
        "reading": reads.for_book(user, book),
        "read_form": None,
        "tags_form": None,
        **given,
    }
    if "book_tags" not in context:  # the book page has them from services.marks
        context["book_tags"] = tags.names_for(user, book)
    if "shelf" not in context:
        context["shelf"] = shelves.status_of(user, book)
    if context["read_form"] is None:
        context["read_form"] = Deferred(ReadForm, formdata=None, data={"status": "finished"})
        context["read_form_blank"] = True  # the same for every reader: drawn once per book
    return context
