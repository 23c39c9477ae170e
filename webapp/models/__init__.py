"""SQLAlchemy models, one module per aggregate. Importing this registers them all."""

from webapp.models.base import utcnow
from webapp.models.user import User

__all__ = ["User", "utcnow"]
