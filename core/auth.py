"""Authentication with lock-out, used by every way in: the login page, the admin and the API.

After LOGIN_MAX_FAILURES wrong passwords in a row the account is locked for LOGIN_LOCK_DURATION,
even for the right password. The reason is left on the request so the login form can say it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.utils import timezone

from core.choices import AuditAction
from core.services import audit


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR")


class LockoutBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            # Spend the same time as a real check so that timing does not reveal who exists.
            User().set_password(password)
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
