"""Errors raised by services. Views turn them into a message, the API into a 4xx with `code`."""

from __future__ import annotations


class ServiceError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotAllowed(ServiceError):
    code = "not_allowed"
    status = 403


class InvalidTransition(ServiceError):
    code = "invalid_transition"
    status = 409


class NotFound(ServiceError):
    """Nothing of that kind exists (where existence is public, unlike NotAllowed's cases)."""

    code = "not_found"
    status = 404


class StorageFull(ServiceError):
    """The server's disk (or quota) is full: nothing was saved; try again later."""

    code = "storage_full"
    status = 507
