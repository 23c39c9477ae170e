"""Failed sign-ins counted per address and per account, so guessing stops but owners get in.

Counting every attempt per typed name let anyone lock anyone out: ten wrong guesses from
anywhere made the owner's right password answer 429. Here only *failures* count, on three keys:

- the address (``LOGIN_FAILURES_PER_IP``): past it, that address is refused outright;
- the account, whether its username or email was typed (``LOGIN_LIMIT_PER_ACCOUNT``): past it,
  attempts are slowed (``LOGIN_SLOWDOWN_SECONDS``) but still checked …
- … except from an address that has itself been failing on that account
  (``LOGIN_FAILURES_PER_ACCOUNT_IP``), which is refused.

The counters live in the limiter's storage. When it fails (Redis down), they carry on in this
process's memory and say so in the log; ``storage_status`` feeds ``/healthz``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from webapp.extensions import limiter
from webapp.models import User

log = logging.getLogger(__name__)

_fallback = MovingWindowRateLimiter(MemoryStorage())
_degraded = threading.Event()


def _limits(setting: str):
    return parse_many(current_app.config[setting])


def _run(method: str, items, key: str) -> bool:
    """``test`` or ``hit`` every limit in ``items`` for ``key``; False if one is exhausted."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True  # limits switched off: nothing to count (and no storage to count in)
    try:
        strategy = limiter.limiter
        result = all([getattr(strategy, method)(item, "login-failures", key) for item in items])
    except Exception as exc:  # any storage error: the site must still answer
        if not _degraded.is_set():
            log.warning("Rate-limit storage unreachable (%s); counting in memory", exc)
            _degraded.set()
        return all([getattr(_fallback, method)(item, "login-failures", key) for item in items])
    if _degraded.is_set():
        _degraded.clear()
        log.info("Rate-limit storage answers again; counting there")
    return result


def _retry_after(items, key: str) -> int:
    try:
        stats = [limiter.limiter.get_window_stats(item, "login-failures", key) for item in items]
    except Exception:  # storage down: the in-memory counters decided
        stats = [_fallback.get_window_stats(item, "login-failures", key) for item in items]
    return max(1, int(max(s.reset_time for s in stats) - time.time()))


@dataclass(frozen=True)
class LoginAttempt:
    """One sign-in attempt: who it is for and where it comes from."""

    account: str
    address: str

    @classmethod
    def for_login(cls, login: str) -> LoginAttempt:
        """Keyed by the account when one matches (username or email), else by the name typed."""
        user = User.by_login(login) if login.strip() else None
        account = f"user:{user.id}" if user else f"name:{login.strip().lower()[:254]}"
        return cls(account=account, address=f"ip:{get_remote_address()}")

    @property
    def pair(self) -> str:
        return f"{self.account}|{self.address}"

    def check(self) -> None:
        """Raise 429 for a failing address; sleep when the account is under attack."""
        refusals = [("LOGIN_FAILURES_PER_IP", self.address)]
        account_over = not _run("test", _limits("LOGIN_LIMIT_PER_ACCOUNT"), self.account)
        if account_over:
            refusals.append(("LOGIN_FAILURES_PER_ACCOUNT_IP", self.pair))
        for setting, key in refusals:
            if not _run("test", _limits(setting), key):
                raise TooManyRequests(retry_after=_retry_after(_limits(setting), key))
        if account_over:
            time.sleep(current_app.config["LOGIN_SLOWDOWN_SECONDS"])

    def failed(self) -> None:
        for setting, key in (
            ("LOGIN_FAILURES_PER_IP", self.address),
            ("LOGIN_LIMIT_PER_ACCOUNT", self.account),
            ("LOGIN_FAILURES_PER_ACCOUNT_IP", self.pair),
        ):
            _run("hit", _limits(setting), key)


def storage_status() -> dict:
    """For /healthz: where the limiter counts now, and whether its storage answers."""
    uri = current_app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    scheme = uri.split(":", 1)[0]
    if scheme == "memory":
        return {"storage": "memory", "status": "ok"}
    try:
        answers = limiter.storage.check()
    except Exception:  # a dead storage may raise instead of answering False
        answers = False
    if answers:
        return {"storage": scheme, "status": "ok"}
    return {
        "storage": scheme,
        "status": "fallback",
        "detail": f"{scheme} does not answer; limits are counted per process in memory",
    }
