"""Sign up, log in, log out."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, make_response, redirect, request, url_for
from flask_login import current_user, login_required

from webapp.errors import ValidationError
from webapp.extensions import limiter, login_manager
from webapp.forms import EmptyForm, apply_error
from webapp.forms.auth import LoginForm, SignupForm
from webapp.htmx import is_partial, redirect_to, render
from webapp.models.user import SUSPENDED_FOREVER
from webapp.services import accounts, staff
from webapp.sessions import sign_in, sign_out
from webapp.throttle import LoginAttempt

bp = Blueprint("auth", __name__)

BAD_LOGIN = "That username or email and password do not match an account."


def safe_next(target: str | None) -> str | None:
    """Follow ``next`` only when it is a path on this site (no scheme, host or ``//``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@login_manager.unauthorized_handler
def unauthorized():
    """Send the reader to log in; htmx gets HX-Redirect, never a login page swapped into a div."""
    if is_partial():
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = current.path + (f"?{current.query}" if current.query else "")
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for("auth.login", next=safe_next(back) or None)
        return response
    flash("Please sign in to continue.", "info")
    target = request.full_path if request.method == "GET" else urlsplit(request.referrer or "").path
    return redirect(url_for("auth.login", next=safe_next(target.rstrip("?"))), code=303)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_LIMIT_PER_IP"], methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect_to(url_for("main.home"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.sign_up(form.username.data, form.email.data, form.password.data)
        except ValidationError as error:
            apply_error(form, error)
        else:
            sign_in(user)
            flash(
                f"Welcome to Colophon, {user.username}! We mailed a link to {user.email}: "
                "follow it to confirm your address.",
                "success",
            )
            return redirect_to(url_for("main.home"))
    status = 422 if form.is_submitted() else 200
    return render("auth/signup.html", "auth/_signup_form.html", status=status, form=form)


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
            flash(f"Signed in as {user.username}.", "success")
            return redirect_to(safe_next(form.next.data) or url_for("main.home"))
    status = 422 if form.is_submitted() else 200
    return render("auth/login.html", "auth/_login_form.html", status=status, form=form)


def _suspended(until: datetime) -> str:
    if until == SUSPENDED_FOREVER:
        return "This account is suspended until an administrator lifts it."
    return f"This account is suspended until {until:%Y-%m-%d %H:%M} UTC."


@bp.post("/logout")
@login_required
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        sign_out()
        flash("You are signed out.", "info")
    return redirect_to(url_for("main.home"))
