"""What every programs page shares: refusals as 403 pages, the tabs, file downloads."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import render

from core import permissions
from core.exceptions import NotAllowed, NotFound


def refuses(view):
    """Show a service's refusal as a 403 page in the site's layout, never as a traceback."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            return render(request, "programs/refused.html", {"message": exc.message}, status=403)
        except NotFound as exc:
            raise Http404(exc.message) from None

    return wrapper


def tabs(request, current: str) -> dict:
    user = request.user
    return {
        "tab": current,
        "show_applications": permissions.can(user, "programs.add_application")
        or permissions.can(user, "programs.check_application"),
    }


def form_errors(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


def download(field, filename: str, content_type: str | None = None) -> FileResponse:
    """A stored file served to those the calling view let through, never from /media/."""
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
