from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = _("科技计划")

    def ready(self) -> None:
        # Registrations: the demo step, the rules, the menu entries and the panel job.
        from programs import demo, permissions  # noqa: F401
        from programs.services import navigation, review  # noqa: F401
