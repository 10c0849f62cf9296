from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "transfer"
    verbose_name = _("成果转化")

    def ready(self) -> None:
        # Registrations: object permissions, the menu entries and the demo step.
        from transfer import demo, permissions  # noqa: F401
        from transfer.services import navigation  # noqa: F401
        from transfer.views.screening import register_achievement_panel

        register_achievement_panel()  # the TRL and screening panel on achievement pages
