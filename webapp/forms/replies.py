"""The reply form; the service checks length and emptiness and gives the messages."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField

from webapp.services.replies import MAX_BODY


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Your reply",
        description="Markdown works: **bold**, *italics*, > quotes and links.",
        render_kw={"maxlength": MAX_BODY, "rows": 4},
    )
