from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import Role

# Roles that act for the bureau rather than for their own organisation.
STAFF_ROLES = {Role.DISTRICT_ADMIN, Role.CITY_ADMIN}


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    current_membership = models.ForeignKey(
        "core.Membership",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("当前身份"),
    )
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

    @property
    def membership(self):
        """The membership the user currently acts through, or None for a public user."""
        return self.current_membership

    @property
    def role(self) -> str:
        m = self.current_membership
        return m.role if m and m.is_active else Role.PUBLIC


class Membership(models.Model):
    user = models.ForeignKey(
        User, models.CASCADE, related_name="memberships", verbose_name=_("用户")
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        models.CASCADE,
        related_name="memberships",
        verbose_name=_("单位"),
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "core.Region",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("管辖区域"),
        help_text=_("仅区县管理员需要：其管理范围。"),
    )
    is_org_admin = models.BooleanField(_("单位管理员"), default=False)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.DISTRICT_ADMIN) | Q(region__isnull=False),
                name="district_admin_has_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


class LoginFailure(models.Model):
    """One failed sign-in from a network address, kept for the address's rate limit
    (core.auth): many accounts tried from one address, which the per-account lock-out does not
    see. Rows older than the window are pruned as new ones arrive."""

    ip_address = models.GenericIPAddressField(_("IP 地址"))
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")
        indexes = [models.Index(fields=["ip_address", "at"], name="login_failure_ip_at")]

    def __str__(self) -> str:
        return f"{self.ip_address} {timezone.localtime(self.at):%Y-%m-%d %H:%M:%S}"
