"""Blueprints, one per feature, and the app-wide error pages."""

from webapp.views.errors import register_error_handlers

__all__ = ["register_error_handlers"]
