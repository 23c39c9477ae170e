"""Unsubscribe links from notice mail, and the development outbox page."""

from __future__ import annotations

from email import message_from_bytes, policy

from flask import Blueprint, abort, render_template, request

from webapp.extensions import csrf
from webapp.htmx import respond
from webapp.mailer import mail_dir
from webapp.services import mail

bp = Blueprint("mail", __name__)
dev = Blueprint("dev_mail", __name__, url_prefix="/dev")

TOPIC_NAMES = {
    "moderation": "mail about your reviews being hidden or restored",
    "reports": "mail about the outcome of your reports",
    "all": "every notice mail and the daily digest",
}


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authority; mail clients post here (RFC 8058 one-click)
def unsubscribe(token: str):
    """GET asks (link scanners must not unsubscribe anyone); POST, one-click or the button, acts."""
    target = mail.unsubscribe_target(token)
    if target is None:
        abort(404)
    user, topic = target
    if request.method == "POST":
        mail.unsubscribe(user, topic)
        if request.form.get("List-Unsubscribe") == "One-Click":
            return "", 204
        message = f"Done: we will not send {user.email} {TOPIC_NAMES[topic]}."
        return respond(request.path, message=message)
    return render_template("mail/unsubscribe.html", user=user, what=TOPIC_NAMES[topic])


@dev.get("/mail")
def outbox():
    """Messages written to MAIL_DIR (development without MAIL_URL), newest first, with links."""
    folder = mail_dir()
    files = sorted(folder.glob("*.eml"), reverse=True)[:50] if folder.is_dir() else []
    messages = []
    for path in files:
        parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
        text = parsed.get_body(preferencelist=("plain",))
        messages.append({"message": parsed, "text": text.get_content() if text else ""})
    return render_template("mail/outbox.html", messages=messages, folder=folder)


def register(app) -> None:
    app.register_blueprint(bp)
    # Only where mail is written to files: production never lists anyone's mail.
    if app.config["COLOPHON_ENV"] != "production" and not app.config.get("MAIL_URL"):
        app.register_blueprint(dev)
    app.jinja_env.globals["mail_can_send"] = lambda: _can_send(app)


def _can_send(app) -> bool:
    from webapp.mailer import can_send

    return can_send(app)
