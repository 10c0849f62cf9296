from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = _("科技计划")

    def ready(self) -> None:
        from programs import demo, permissions  # noqa: F401  (demo step, rules)
        from programs.services import navigation  # noqa: F401  (menu entries)
        from programs.services import review  # noqa: F401  (registers the panel job)
