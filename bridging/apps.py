from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BridgingConfig(AppConfig):
    name = "bridging"
    verbose_name = _("供需对接")

    def ready(self) -> None:
        from bridging import permissions  # noqa: F401  (registers the object permissions)
