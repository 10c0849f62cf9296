"""Authentication with lock-out, used by every way in: the login page, the admin and the API.

After LOGIN_MAX_FAILURES wrong passwords in a row the account is locked for LOGIN_LOCK_DURATION,
even for the right password. One network address that fails LOGIN_IP_MAX_FAILURES sign-ins
within LOGIN_IP_WINDOW, whatever the accounts (trying one password on many accounts), may not
sign in at all until its oldest failure leaves the window. The reason is left on the request
so the login form can say it.
"""

from __future__ import annotations

import ipaddress
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.utils import timezone

from core.choices import AuditAction
from core.models import LoginFailure
from core.services import audit


def client_ip(request) -> str | None:
    """The client's address: the connection's, or with PROXY_HOPS trusted proxies in front,
    the address the outermost of them saw (X-Forwarded-For's PROXY_HOPS-th entry from the
    right; entries further left are whatever the client sent and are not trusted)."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR")
    if settings.PROXY_HOPS:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= settings.PROXY_HOPS:
            address = forwarded[-settings.PROXY_HOPS]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def address_blocked_until(ip: str | None):
    """When the address may try again, if it has failed too often within the window."""
    if not ip:
        return None
    since = timezone.now() - settings.LOGIN_IP_WINDOW
    failures = LoginFailure.objects.filter(ip_address=ip, at__gt=since).order_by("-at")
    recent = list(failures.values_list("at", flat=True)[: settings.LOGIN_IP_MAX_FAILURES])
    if len(recent) < settings.LOGIN_IP_MAX_FAILURES:
        return None
    return recent[-1] + settings.LOGIN_IP_WINDOW


def _note_address_failure(ip: str | None) -> None:
    if not ip:
        return
    now = timezone.now()
    LoginFailure.objects.create(ip_address=ip, at=now)
    if random.random() < 0.05:  # keep the table to the window's rows, cheaply
        LoginFailure.objects.filter(at__lt=now - settings.LOGIN_IP_WINDOW).delete()


class LockoutBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        User = get_user_model()
        ip = client_ip(request)
        blocked_until = address_blocked_until(ip)
        if blocked_until is not None:
            request.login_address_blocked_until = blocked_until
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            # Spend the same time as a real check so that timing does not reveal who exists.
            User().set_password(password)
            _note_address_failure(ip)
            return None
        if user.is_locked:
            if request is not None:
                request.login_locked_until = user.locked_until
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.failed_logins:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
                user.failed_logins = 0
            return user
        self._register_failure(request, user)
        return None

    def _register_failure(self, request, user) -> None:
        User = type(user)
        _note_address_failure(client_ip(request))
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        audit.record(
            None, AuditAction.LOGIN_FAILED, user, note="密码错误", ip_address=client_ip(request)
        )
        if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
            locked_until = timezone.now() + settings.LOGIN_LOCK_DURATION
            User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=locked_until)
            audit.record(
                None,
                AuditAction.LOCKED,
                user,
                changes={"locked_until": [None, timezone.localtime(locked_until).isoformat()]},
                note=f"连续{settings.LOGIN_MAX_FAILURES}次登录失败",
                ip_address=client_ip(request),
            )
            if request is not None:
                request.login_locked_until = locked_until
