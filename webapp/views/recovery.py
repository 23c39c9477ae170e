"""Forgotten passwords and email confirmation: the pages mailed links lead to."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, request, url_for
from flask_login import current_user

from webapp.errors import ValidationError
from webapp.extensions import limiter
from webapp.forms import EmptyForm, apply_error
from webapp.forms.auth import ForgotPasswordForm, ResetPasswordForm
from webapp.htmx import redirect_to, render
from webapp.services import accounts
from webapp.sessions import sign_out

bp = Blueprint("recovery", __name__)

# One answer whether or not an account has the address: nobody learns who has an account.
RESET_SENT = (
    "If an account uses that address, a link to reset its password is on its way. "
    "It works once, for one hour."
)


def reset_address_key() -> str:
    return "reset:" + (request.form.get("email") or "").strip().lower()


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_IP"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["RESET_LIMIT_PER_ADDRESS"],
    key_func=reset_address_key,
    methods=["POST"],
)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        flash(RESET_SENT, "info")
        return redirect_to(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render("recovery/forgot.html", "recovery/_forgot_form.html", status=status, form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if accounts.user_for_reset(token) is None:
        return render("recovery/link_expired.html", status=410, what="reset")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except ValidationError as error:
            apply_error(form, error)
        else:
            sign_out()  # whoever was signed in here signs in afresh with the new password
            flash("Your password was changed and every session signed out. Sign in.", "success")
            return redirect_to(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render(
        "recovery/reset.html", "recovery/_reset_form.html", status=status, form=form, token=token
    )


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """GET shows a button (link scanners must not confirm); POST confirms."""
    found = accounts.pending_verification(token)
    if found is None:
        return render("recovery/link_expired.html", status=410, what="confirm")
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            accounts.confirm_email(token)
        except ValidationError as error:
            apply_error(form, error)
        else:
            flash(f"Thank you: {found[1]} is confirmed.", "success")
            target = "account.index" if current_user.is_authenticated else "auth.login"
            return redirect_to(url_for(target))
    status = 422 if form.is_submitted() else 200
    return render("recovery/confirm.html", status=status, form=form, token=token, email=found[1])
