"""gunicorn settings for a PaaS: bind $PORT, size from the environment, log to stdout.

Workers come from WEB_CONCURRENCY (set by most platforms), else 2 per usable CPU + 1 (at
most 8); each runs GUNICORN_THREADS threads, which is also the database pool size per worker
(webapp/config.py). The app itself writes the access log: one JSON line per request on stdout,
with its request id (webapp/logs.py). gunicorn's own access log would repeat every request in
another format, so it is off unless GUNICORN_ACCESS_LOG is set (``-`` for stdout).
"""

import os

from webapp.config import gunicorn_threads, web_concurrency

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = web_concurrency()
threads = gunicorn_threads()
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Move what the app built at start (routes, templates, metadata, compiled statements:
    ~155k objects in the bench's process) out of the garbage collector's reach. A full
    collection walks every tracked object with the GIL held, pausing all of the worker's
    threads: 70 ms in process on the 1M bench, 0.8 ms once frozen (bench/README.md, session
    7). They live as long as the worker, so nothing is lost by not walking them."""
    import gc

    gc.freeze()
