"""Adding a book to the catalogue and editing one (staff). Rules (ISBN checks, duplicates)
live in services.catalog; these forms only shape the input, the same way for both. Covers are
uploaded on the book's page (services.covers), never linked from elsewhere."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webapp.services.catalog import BookData, split_authors, split_titles


class BookEditForm(FlaskForm):
    """A book's details, as staff edit them; adding a book asks the same (``BookForm``)."""

    title = StringField(
        "Title", validators=[DataRequired("Give the book's title."), Length(max=300)]
    )
    subtitle = StringField("Subtitle", validators=[Optional(), Length(max=300)])
    other_titles = TextAreaField(
        "Other titles",
        validators=[Optional(), Length(max=2000)],
        description="Titles it is also known by, one per line (e.g. 1984).",
        render_kw={"rows": 2},
    )
    authors = TextAreaField(
        "Authors",
        validators=[DataRequired("Name at least one author."), Length(max=2000)],
        description="One author per line, in the order the book gives them.",
        render_kw={"rows": 3},
    )
    isbn = StringField(
        "ISBN",
        validators=[Optional(), Length(max=20)],
        description="ISBN-10 or ISBN-13; hyphens and spaces are fine.",
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    publisher = StringField("Publisher", validators=[Optional(), Length(max=200)])
    year = IntegerField(
        "Year published",
        validators=[Optional(), NumberRange(1, 2100, "Give a year between 1 and 2100.")],
        render_kw={"inputmode": "numeric"},
    )
    pages = IntegerField(
        "Pages",
        validators=[Optional(), NumberRange(1, 100_000, "Give a page count from 1 to 100,000.")],
        render_kw={"inputmode": "numeric"},
    )
    language = StringField("Language", validators=[Optional(), Length(max=35)])
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=20_000)],
        description="Markdown: *italic*, **bold**, [links](https://…). No spoilers, please.",
    )

    def to_data(self) -> BookData:
        return book_data(self)


class BookForm(BookEditForm):
    confirm_similar = BooleanField("This is a different book — add it anyway")


def book_data(form: FlaskForm) -> BookData:
    """The service's input from any form with the book fields (adding, or staff editing)."""
    return BookData(
        title=form.title.data or "",
        subtitle=form.subtitle.data,
        other_titles=split_titles(form.other_titles.data or ""),
        authors=split_authors(form.authors.data or ""),
        isbn=form.isbn.data,
        publisher=form.publisher.data,
        year=form.year.data,
        pages=form.pages.data,
        language=form.language.data,
        description=form.description.data,
    )
