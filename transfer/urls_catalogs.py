"""优秀科技成果目录 and 定价参考 routes."""

from django.urls import path

from transfer.views import catalogs, valuation

urlpatterns = [
    # Catalogs: public once published; compiled by the bureau.
    path("catalogs/", catalogs.catalog_list, name="transfer_catalogs"),
    path("catalogs/new/", catalogs.catalog_create, name="transfer_catalog_create"),
    path("catalogs/<int:pk>/", catalogs.catalog_detail, name="transfer_catalog"),
    path("catalogs/<int:pk>/edit/", catalogs.catalog_edit, name="transfer_catalog_edit"),
    path(
        "catalogs/<int:pk>/candidates/",
        catalogs.catalog_candidates,
        name="transfer_catalog_candidates",
    ),
    path(
        "catalogs/<int:pk>/entries/<int:entry>/remove/",
        catalogs.entry_remove,
        name="transfer_catalog_entry_remove",
    ),
    path(
        "catalogs/<int:pk>/entries/<int:entry>/move/",
        catalogs.entry_move,
        name="transfer_catalog_entry_move",
    ),
    path("catalogs/<int:pk>/publish/", catalogs.catalog_publish, name="transfer_catalog_publish"),
    path("catalogs/<int:pk>/pdf/", catalogs.catalog_pdf, name="transfer_catalog_pdf"),
    path("catalogs/<int:pk>/xlsx/", catalogs.catalog_xlsx, name="transfer_catalog_xlsx"),
    # Valuation: the achievement's owners and the bureau.
    path("valuation/", valuation.valuation_home, name="transfer_valuation_home"),
    path(
        "achievements/<int:pk>/valuation/",
        valuation.achievement_valuations,
        name="transfer_valuations",
    ),
    path(
        "achievements/<int:pk>/valuation/<str:method>/",
        valuation.calculator,
        name="transfer_valuation_calculator",
    ),
    path("valuations/<int:pk>/", valuation.report_detail, name="transfer_valuation"),
]
