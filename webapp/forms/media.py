"""Image uploads (a book's cover, a reader's picture): the file only; webapp.images decides."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from webapp.images import MAX_BYTES

HINT = "JPEG, PNG or WebP, up to 5 MB."
# What an upload view takes (its ``max_body``): the image plus the form around it.
MAX_BODY = MAX_BYTES + 64 * 1024


def _image_field(label: str, missing: str, about: str) -> FileField:
    return FileField(
        label,
        validators=[FileRequired(missing)],
        description=f"{HINT} {about}",
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )


class ImageForm(FlaskForm):
    def image_bytes(self) -> bytes:
        """The file, read to one byte past the limit: webapp.images refuses what is over it
        without the view holding a bigger upload in memory."""
        upload = self.image.data
        with upload.stream:
            return upload.read(MAX_BYTES + 1)


class CoverForm(ImageForm):
    image = _image_field(
        "Cover image", "Choose an image of the cover.", "A photo or scan of the front cover."
    )


class AvatarForm(ImageForm):
    image = _image_field("Picture", "Choose an image.", "Cropped to a square.")
