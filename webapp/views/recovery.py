"""Forgotten passwords and email confirmation: the pages mailed links lead to."""

from __future__ import annotations

from flask import Blueprint, current_app, request, url_for
from flask_login import current_user

from webapp.extensions import limiter
from webapp.forms import EmptyForm, errors_to
from webapp.forms.auth import ForgotPasswordForm, ResetPasswordForm
from webapp.htmx import invalid, render, respond
from webapp.services import accounts
from webapp.sessions import sign_out
from webapp.web import safe_next

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
        return respond(url_for("auth.login"), message=RESET_SENT, category="info")
    return invalid("recovery/forgot.html", "recovery/_forgot_form.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if accounts.user_for_reset(token) is None:
        return render("recovery/link_expired.html", status=410, what="reset")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with errors_to(form):
            accounts.reset_password(token, form.password.data)
            sign_out()  # whoever was signed in here signs in afresh with the new password
            message = "Your password was changed and every session signed out. Sign in."
            return respond(url_for("auth.login"), message=message)
    return invalid("recovery/reset.html", "recovery/_reset_form.html", form=form, token=token)


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """GET shows a button (link scanners must not confirm); POST confirms.

    ``next`` is the page the reader signed up on (a book): confirming leads back there.
    """
    found = accounts.pending_verification(token)
    if found is None:
        return render("recovery/link_expired.html", status=410, what="confirm")
    form, back = EmptyForm(), safe_next(request.args.get("next"))
    if form.validate_on_submit():
        with errors_to(form):
            accounts.confirm_email(token)
            if current_user.is_authenticated:
                url = back or url_for("account.index")
            else:
                url = url_for("auth.login", next=back)
            return respond(url, message=f"Thank you: {found[1]} is confirmed.")
    return invalid("recovery/confirm.html", form=form, token=token, email=found[1], back=back)
