"""View helpers shared by the apps: a service's refusal shown as the site's 403 or 404 page."""

from __future__ import annotations

from contextlib import contextmanager
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.exceptions import NotAllowed, NotFound


@contextmanager
def http_errors():
    """Inside the block, NotAllowed becomes the 403 page and NotFound the 404 page, each with
    the service's reason."""
    try:
        yield
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except NotFound as exc:
        raise Http404(exc.message) from None


def refuses(view):
    """The same for a whole view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with http_errors():
            return view(request, *args, **kwargs)

    return wrapper
