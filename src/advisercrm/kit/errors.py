"""API errors and their JSON bodies: a message, and for 422 every error by field."""

from __future__ import annotations


class ApiError(Exception):
    status = 500
    default_message = "Server Error."

    def __init__(self, message: str | None = None, headers: dict[str, str] | None = None):
        self.message = message or self.default_message
        self.headers = headers or {}
        super().__init__(self.message)

    def body(self) -> dict[str, object]:
        return {"message": self.message}


class BadRequest(ApiError):
    status = 400
    default_message = "Bad request."


class Unauthenticated(ApiError):
    status = 401
    default_message = "Unauthenticated."


class Forbidden(ApiError):
    status = 403
    default_message = "This action is unauthorized."


class NotFound(ApiError):
    status = 404
    default_message = "Not found."


class Conflict(ApiError):
    status = 409
    default_message = "Conflict."


class Gone(ApiError):
    """410: what was asked for existed once and is no longer kept."""

    status = 410
    default_message = "Gone."

    def __init__(self, message: str, extra: dict[str, object]):
        self.extra = extra
        super().__init__(message)

    def body(self) -> dict[str, object]:
        return {"message": self.message, **self.extra}


class ValidationFailed(ApiError):
    """422 in Laravel's shape: the first message, a count of the rest, every error by field."""

    status = 422

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        messages = [m for field_messages in errors.values() for m in field_messages]
        first = messages[0] if messages else "The given data was invalid."
        rest = len(messages) - 1
        if rest > 0:
            first += f" (and {rest} more error{'s' if rest > 1 else ''})"
        super().__init__(first)

    def body(self) -> dict[str, object]:
        return {"message": self.message, "errors": self.errors}


def attribute(field: str) -> str:
    """Laravel's display name of a field: underscores read as spaces."""
    return field.replace("_", " ")


class Errors:
    """Collects every violated rule of a request, so all of them are reported at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, template: str) -> None:
        """Add a message; `:attribute` in the template names the field."""
        message = template.replace(":attribute", attribute(field))
        self.by_field.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationFailed(self.by_field)
