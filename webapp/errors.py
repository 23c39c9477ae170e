"""Domain errors raised by services and translated by views."""


class DomainError(Exception):
    """Base for errors a service raises on purpose."""


class ValidationError(DomainError):
    """Input broke a rule; ``field`` names the form field it belongs beside."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class ValidationErrors(ValidationError):
    """Several fields broke rules at once: each error lands beside its own field."""

    def __init__(self, errors: list[ValidationError]):
        super().__init__(errors[0].field, errors[0].message)
        self.errors = errors


class NotAllowed(DomainError):
    """The actor may not do this (views answer 403)."""


class NotFound(DomainError):
    """The target does not exist or is not visible to the actor (views answer 404)."""
