"""View decorators shared by the apps."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.exceptions import NotAllowed, NotFound


def refuses(view):
    """A service's refusal as the site's 403 page with its reason; an unknown object as 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from None
        except NotFound as exc:
            raise Http404(exc.message) from None

    return wrapper
