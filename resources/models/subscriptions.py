from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Subscription(models.Model):
    """A saved catalog search; its owner is told of newly published records that match."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("用户"),
    )
    kind = models.CharField(_("资源类型"), max_length=20)
    name = models.CharField(_("名称"), max_length=100)
    query = models.CharField(_("检索条件"), max_length=1000, blank=True)
    email = models.BooleanField(_("同时发送邮件"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("订阅")
        verbose_name_plural = _("订阅")

    def __str__(self) -> str:
        return self.name
