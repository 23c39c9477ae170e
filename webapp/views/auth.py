"""Sign up, log in, log out."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, g, request, url_for
from flask_login import current_user, login_required

from webapp.extensions import limiter, login_manager
from webapp.forms import EmptyForm, errors_to
from webapp.forms.auth import LoginForm, SignupForm
from webapp.htmx import invalid, redirect_to, respond, sign_in_first
from webapp.models.user import SUSPENDED_FOREVER
from webapp.services import account_rules, accounts, staff
from webapp.sessions import sign_in, sign_out
from webapp.throttle import LoginAttempt
from webapp.web import safe_next

bp = Blueprint("auth", __name__)

BAD_LOGIN = "That username or email and password do not match an account."


@login_manager.unauthorized_handler
def unauthorized():
    return sign_in_first("auth.login")


def _reached_account_check(response) -> bool:
    """Only sign-ups whose every field was well formed count against the limit: typos cost
    nothing, while each try at the accounts (is this name or address taken?) does."""
    return g.get("signup_account_check", False)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["SIGNUP_LIMIT_PER_IP"],
    methods=["POST"],
    deduct_when=_reached_account_check,
)
def signup():
    if current_user.is_authenticated:
        return redirect_to(safe_next(request.args.get("next")) or url_for("main.home"))
    form = SignupForm(data={"next": safe_next(request.args.get("next"))})
    if form.validate_on_submit():
        with errors_to(form):
            name, email, password = form.username.data, form.email.data, form.password.data
            account_rules.check_sign_up(name, email, password)
            g.signup_account_check = True
            back = safe_next(form.next.data)
            user = accounts.sign_up(name, email, password, next_path=back)
            sign_in(user)
            message = (
                f"Welcome to Colophon, {user.username}! We mailed a link to {user.email}: "
                "follow it to confirm your address."
            )
            return respond(back or url_for("main.home"), message=message)
    return invalid("auth/signup.html", "auth/_signup_form.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        attempt = LoginAttempt.for_login(form.login.data)
        attempt.check()  # 429 for an address that keeps failing
        user = accounts.authenticate(form.login.data, form.password.data)
        until = staff.suspended_until(user) if user is not None else None
        if user is None:
            attempt.failed()
            form.form_errors.append(BAD_LOGIN)
        elif until is not None:
            form.form_errors.append(_suspended(until))
        else:
            sign_in(user, remember=form.remember.data)
            url = safe_next(form.next.data) or url_for("main.home")
            return respond(url, message=f"Signed in as {user.username}.")
    return invalid("auth/login.html", "auth/_login_form.html", form=form)


def _suspended(until: datetime) -> str:
    if until == SUSPENDED_FOREVER:
        return "This account is suspended until an administrator lifts it."
    return f"This account is suspended until {until:%Y-%m-%d %H:%M} UTC."


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        sign_out()
        return respond(url_for("main.home"), message="You are signed out.", category="info")
    return redirect_to(url_for("main.home"))
