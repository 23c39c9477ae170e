"""The reader's own account: email, password, deletion."""

from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_login import current_user, login_required, logout_user

from webapp.errors import ValidationError
from webapp.extensions import limiter, reader_key
from webapp.forms import EmptyForm, apply_error
from webapp.forms.account import (
    DeleteAccountForm,
    EmailChangeForm,
    NotificationsForm,
    PasswordChangeForm,
    PrivacyForm,
)
from webapp.htmx import is_partial, redirect_to, render
from webapp.services import accounts, follows, mail

bp = Blueprint("account", __name__, url_prefix="/account")


def _forms(**given):
    forms = {
        "email_form": EmailChangeForm(prefix="email"),
        "password_form": PasswordChangeForm(prefix="password"),
        "delete_form": DeleteAccountForm(prefix="delete"),
        "privacy_form": PrivacyForm(prefix="privacy", data={"private": current_user.is_private}),
        "notifications_form": _notifications_form(),
        "resend_form": EmptyForm(prefix="resend"),
        "archive_form": EmptyForm(prefix="archive"),
    }
    forms.update(given)
    return forms


def _notifications_form() -> NotificationsForm:
    user = current_user
    return NotificationsForm(
        prefix="notify",
        formdata=None,
        data={
            "moderation": user.notify_moderation,
            "reports": user.notify_reports,
            "replies": user.notify_replies,
            "digest": "daily" if user.digest else "each",
        },
    )


def _page(partial: str, status: int, **given):
    others = accounts.other_session_count(current_user)
    return render("account/index.html", partial, status=status, others=others, **_forms(**given))


@bp.get("")
@login_required
def index():
    return _page(None, 200)


@bp.post("/email")
@login_required
def change_email():
    form = EmailChangeForm(prefix="email")
    if form.validate_on_submit():
        try:
            accounts.change_email(current_user, form.current_password.data, form.email.data)
        except ValidationError as error:
            apply_error(form, error)
        else:
            flash(
                f"We sent a link to {current_user.pending_email}. Your address changes when "
                "you follow it; until then we keep using the old one.",
                "success",
            )
            return redirect_to(url_for("account.index"))
    return _page("account/_email_form.html", 422, email_form=form)


@bp.post("/password")
@login_required
def change_password():
    form = PasswordChangeForm(prefix="password")
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except ValidationError as error:
            apply_error(form, error)
        else:
            flash("Your password was changed. Other sessions have been signed out.", "success")
            return redirect_to(url_for("account.index"))
    return _page("account/_password_form.html", 422, password_form=form)


@bp.post("/privacy")
@login_required
def privacy():
    """A private reader approves followers; going public lets every waiting request in."""
    form = PrivacyForm(prefix="privacy")
    if form.validate_on_submit():
        follows.set_private(current_user, form.private.data)
        flash("Your profile is private now." if form.private.data else "Your profile is public.")
        if not is_partial():
            return redirect_to(url_for("account.index"))
    return _page("account/_privacy_form.html", 422 if form.errors else 200, privacy_form=form)


@bp.post("/sessions")
@login_required
def end_other_sessions():
    """Sign out everywhere else: every other browser's session and remember cookie."""
    form = EmptyForm()
    if form.validate_on_submit():
        ended = accounts.end_other_sessions(current_user)
        flash(f"Signed out of {ended} other session{'' if ended == 1 else 's'}.", "success")
    return redirect_to(url_for("account.index"))


@bp.post("/delete")
@login_required
def delete():
    form = DeleteAccountForm(prefix="delete")
    if form.validate_on_submit():
        try:
            accounts.delete_account(current_user._get_current_object(), form.password.data)
        except ValidationError as error:
            apply_error(form, error)
        else:
            logout_user()  # the account and its session rows are gone
            flash("Your account and your reviews, ratings and shelves were deleted.", "info")
            return redirect_to(url_for("main.home"))
    return _page("account/_delete_form.html", 422, delete_form=form)


@bp.post("/notifications")
@login_required
def notifications():
    form = NotificationsForm(prefix="notify")
    if form.validate_on_submit():
        mail.set_preferences(
            current_user,
            moderation=form.moderation.data,
            reports=form.reports.data,
            replies=form.replies.data,
            digest=form.digest.data == "daily",
        )
        flash("Your mail settings were saved.", "success")
        return redirect_to(url_for("account.index"))
    return _page("account/_notifications_form.html", 422, notifications_form=form)


@bp.post("/confirm/resend")
@login_required
@limiter.limit("5 per hour", key_func=reader_key)
def resend_confirmation():
    if EmptyForm(prefix="resend").validate_on_submit():
        email = accounts.resend_verification(current_user)
        flash(f"We sent a new confirmation link to {email}.", "success")
    return redirect_to(url_for("account.index"))
