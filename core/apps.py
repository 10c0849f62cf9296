from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("基础数据")

    def ready(self) -> None:
        from core import demo, permissions  # noqa: F401  (registers permissions and job handlers)
