from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = _("科研诚信")

    def ready(self) -> None:
        # Registers object permissions, the import job and the demo records.
        from integrity import demo, permissions  # noqa: F401
        from integrity.services import imports  # noqa: F401
