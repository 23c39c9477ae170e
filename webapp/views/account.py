"""The reader's own account: email, password, picture, deletion."""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_login import current_user, login_required, logout_user

from webapp.extensions import limiter, posting_limit, reader_key
from webapp.filters import plural
from webapp.forms import EmptyForm, errors_to
from webapp.forms.account import (
    BioForm,
    DeleteAccountForm,
    EmailChangeForm,
    NotificationsForm,
    PasswordChangeForm,
    PrivacyForm,
)
from webapp.forms.media import MAX_BODY, AvatarForm
from webapp.htmx import invalid, redirect_to, render, respond
from webapp.services import accounts, avatars, follows, login_sessions, mail, users

bp = Blueprint("account", __name__, url_prefix="/account")
PAGE = "account/index.html"


def _context(**given) -> dict:
    """The page's forms, blank unless one is ``given`` (with its errors)."""
    return {
        "others": login_sessions.other_session_count(current_user),
        "email_form": EmailChangeForm(prefix="email"),
        "password_form": PasswordChangeForm(prefix="password"),
        "delete_form": DeleteAccountForm(prefix="delete"),
        "privacy_form": PrivacyForm(prefix="privacy", data={"private": current_user.is_private}),
        "notifications_form": _notifications_form(),
        "resend_form": EmptyForm(prefix="resend"),
        "archive_form": EmptyForm(prefix="archive"),
        "avatar_form": AvatarForm(prefix="avatar", formdata=None),
        "bio_form": BioForm(prefix="bio", formdata=None, data={"bio": current_user.bio or ""}),
        **given,
    }


def _notifications_form() -> NotificationsForm:
    user = current_user
    return NotificationsForm(
        prefix="notify",
        formdata=None,
        data={
            "moderation": user.notify_moderation,
            "reports": user.notify_reports,
            "replies": user.notify_replies,
            "imports": user.notify_imports,
            "digest": "daily" if user.digest else "each",
        },
    )


def _take(form, name: str, change, *, in_place: bool = False, category: str = "success"):
    """Take the page's ``name`` form: ``change(form)`` acts and returns the message; a
    ValidationError it raises shows the page again (422) with the error beside the field.
    ``in_place``: htmx swaps the saved form back in (the rest of the page is unchanged)."""
    fragment, forms = f"account/_{name}_form.html", {f"{name}_form": form}
    if form.validate_on_submit():
        with errors_to(form):
            message, url = change(form), url_for("account.index")
            if not in_place:
                return respond(url, message=message, category=category)
            context = _context(**forms)
            return respond(url, fragment, message=message, category=category, **context)
    return invalid(PAGE, fragment, **_context(**forms))


def _button(form, action):
    """A one-button form: ``action()`` returns the message; a stale form just goes back."""
    if form.validate_on_submit():
        return respond(url_for("account.index"), message=action())
    return redirect_to(url_for("account.index"))


@bp.get("")
@login_required
def index():
    return render(PAGE, **_context())


def _form_route(name: str, endpoint: str, form_class, prefix: str, change, **how) -> None:
    """POST /account/<name>: take the page's ``name`` form (see ``_take``)."""

    @login_required
    def view():
        return _take(form_class(prefix=prefix), name, change, **how)

    view.__name__ = endpoint
    bp.add_url_rule(f"/{name}", view_func=view, methods=["POST"])


def _change_email(form: EmailChangeForm) -> str:
    accounts.change_email(current_user, form.current_password.data, form.email.data)
    return (
        f"We sent a link to {current_user.pending_email}. Your address changes when "
        "you follow it; until then we keep using the old one."
    )


def _change_password(form: PasswordChangeForm) -> str:
    accounts.change_password(current_user, form.current_password.data, form.new_password.data)
    return "Your password was changed. Other sessions have been signed out."


def _set_privacy(form: PrivacyForm) -> str:
    """A private reader approves followers; going public lets every waiting request in."""
    follows.set_private(current_user, form.private.data)
    return "Your profile is private now." if form.private.data else "Your profile is public."


def _set_bio(form: BioForm) -> str:
    """The profile's "About you": saved in place with htmx (focus stays on Save by its id)."""
    users.set_bio(current_user, form.bio.data)
    return "Your profile was saved."


_form_route(
    "privacy", "privacy", PrivacyForm, "privacy", _set_privacy, in_place=True, category="message"
)
_form_route("bio", "change_bio", BioForm, "bio", _set_bio, in_place=True)


@bp.post("/sessions")
@login_required
def end_other_sessions():
    """Sign out everywhere else: every other browser's session and remember cookie."""

    def end() -> str:
        ended = login_sessions.end_other_sessions(current_user)
        return f"Signed out of {plural(ended, 'other session')}."

    return _button(EmptyForm(), end)


@bp.post("/delete")
@login_required
def delete():
    form = DeleteAccountForm(prefix="delete")
    if form.validate_on_submit():
        with errors_to(form):
            accounts.delete_account(current_user._get_current_object(), form.password.data)
            logout_user()  # the account and its session rows are gone
            message = "Your account and your reviews, ratings and shelves were deleted."
            return respond(url_for("main.home"), message=message, category="info")
    return invalid(PAGE, "account/_delete_form.html", **_context(delete_form=form))


def _set_notifications(form: NotificationsForm) -> str:
    mail.set_preferences(
        current_user,
        moderation=form.moderation.data,
        reports=form.reports.data,
        replies=form.replies.data,
        imports=form.imports.data,
        digest=form.digest.data == "daily",
    )
    return "Your mail settings were saved."


_form_route("email", "change_email", EmailChangeForm, "email", _change_email)
_form_route("password", "change_password", PasswordChangeForm, "password", _change_password)
_form_route("notifications", "notifications", NotificationsForm, "notify", _set_notifications)


@bp.post("/confirm/resend")
@login_required
@limiter.limit("5 per hour", key_func=reader_key)
def resend_confirmation():

    def resend() -> str:
        return f"We sent a new confirmation link to {accounts.resend_verification(current_user)}."

    return _button(EmptyForm(prefix="resend"), resend)


@bp.post("/avatar")
@login_required
@posting_limit()
def avatar():
    form = AvatarForm(prefix="avatar")
    if form.validate_on_submit():
        data = form.image_bytes()
        with errors_to(form):
            avatars.upload(current_user, data)
            return _avatar_changed("Your picture was saved.")
    return invalid(PAGE, "account/_avatar_form.html", **_context(avatar_form=form))


avatar.max_body = MAX_BODY


@bp.post("/avatar/remove")
@login_required
def remove_avatar():
    if EmptyForm().validate_on_submit():
        avatars.remove(current_user)
        return _avatar_changed("Your picture was removed.")
    return redirect_to(url_for("account.index"))


def _avatar_changed(message: str):
    fresh = AvatarForm(prefix="avatar", formdata=None)
    return respond(
        url_for("account.index"), "account/_avatar_form.html", message=message, avatar_form=fresh
    )
