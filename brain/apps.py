from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrainConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "brain"
    verbose_name = _("科创大脑")

    def ready(self) -> None:
        # Registrations: object permissions, the menu entry and section tabs, the computed
        # indicators, the import job and the demo step.
        from brain import demo, permissions  # noqa: F401
        from brain.services import computed, imports, navigation, reports  # noqa: F401
