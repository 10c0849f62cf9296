from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BridgingConfig(AppConfig):
    name = "bridging"
    verbose_name = _("供需对接")

    def ready(self) -> None:
        # Object permissions, the index job, and the resource library's extension points.
        from django.urls import reverse

        from bridging import permissions  # noqa: F401
        from bridging.services import index
        from resources.services import hooks

        hooks.after_change.append(index.update_later)
        for kind in ("demands", "achievements", "experts"):
            hooks.detail_panels.setdefault(kind, []).append(
                lambda record, kind=kind: reverse("bridging_recommend", args=[kind, record.pk])
            )
