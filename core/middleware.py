from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


class IdleSessionTimeoutMiddleware:
    """Log out a session that has been idle longer than SESSION_IDLE_TIMEOUT."""

    KEY = "last_activity"
    # Written at most once a minute: writing it on every request saved the session, a database
    # write, for every page a signed-in user opened. The timeout is then exact to a minute.
    WRITE_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last = request.session.get(self.KEY)
            idle_limit = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            if last is not None and now - last > idle_limit:
                logout(request)
                messages.info(request, _("您已长时间未操作，为安全起见已自动退出，请重新登录。"))
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{reverse('login')}?next={request.path}")
            if last is None or now - last >= self.WRITE_EVERY:
                request.session[self.KEY] = now
        return self.get_response(request)


class LanguageMiddleware:
    """Chinese unless the user chose otherwise with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an English
    browser would get English pages; the platform's users expect Chinese by default.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # Scoped to this request: the next one (another user, a test) starts from the default.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class ContentSecurityPolicyMiddleware:
    """Pages run only the platform's own script files and talk only to the platform (it uses
    no CDN): an injected <script> or an inline handler does not run, and a page cannot send
    data elsewhere. Inline style attributes stay allowed (templates and ECharts use them).
    The API's pages for developers (the browsable API, Swagger UI) keep inline scripts, which
    those libraries need; they show no user content beyond the API's own answers."""

    STRICT = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
    DEVELOPER = STRICT.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and response.get(
            "Content-Type", ""
        ).startswith("text/html"):
            developer = request.path.startswith("/api/")
            response["Content-Security-Policy"] = self.DEVELOPER if developer else self.STRICT
        return response
