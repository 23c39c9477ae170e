"""What the worker process runs: ``huey_consumer webapp.worker.huey`` (see Procfile).

The app is built from the environment exactly as the web process builds it, so both use the
same database, queue (``REDIS_URL`` or ``instance/tasks.db``) and mail settings.
"""

from webapp import create_app

app = create_app()
huey = app.extensions["huey"]
