from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CultivationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cultivation"
    verbose_name = _("企业梯次培育")

    def ready(self) -> None:
        # Registrations: object permissions, the menu entries, the jobs and the demo step.
        from cultivation import demo, permissions  # noqa: F401
        from cultivation.services import imports, navigation, pools  # noqa: F401
