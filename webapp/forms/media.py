"""Image uploads (a book's cover, a reader's picture): the file only; webapp.images decides."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

HINT = "JPEG, PNG or WebP, up to 5 MB."


class CoverForm(FlaskForm):
    image = FileField(
        "Cover image",
        validators=[FileRequired("Choose an image of the cover.")],
        description=HINT + " A photo or scan of the front cover.",
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )


class AvatarForm(FlaskForm):
    image = FileField(
        "Picture",
        validators=[FileRequired("Choose an image.")],
        description=HINT + " Cropped to a square.",
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
