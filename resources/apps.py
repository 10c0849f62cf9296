from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = _("科技资源库")

    def ready(self) -> None:
        # Registers object permissions, the import job and the demo records.
        from resources import demo, permissions  # noqa: F401
        from resources.services import imports  # noqa: F401
