from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sharing"
    verbose_name = _("共享服务")

    def ready(self) -> None:
        # Registrations: object permissions, the menu entry, the demo step and the jobs.
        from sharing import demo, permissions  # noqa: F401
        from sharing.services import abuse, evaluation, navigation  # noqa: F401
