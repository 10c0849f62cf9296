"""科创大脑 routes of indicators, targets and values."""

from django.urls import path

from brain.views import indicators

urlpatterns = [
    path("", indicators.home, name="brain_home"),
    path("targets/", indicators.target_overview, name="brain_targets"),
    path("indicators/", indicators.catalog_list, name="brain_catalog"),
    path("indicators/load/", indicators.catalog_load, name="brain_catalog_load"),
    path("indicators/<slug:code>/", indicators.indicator_detail, name="brain_indicator"),
    path(
        "indicators/<slug:code>/snapshot/",
        indicators.indicator_snapshot,
        name="brain_indicator_snapshot",
    ),
    path("values/new/", indicators.value_enter, name="brain_value_enter"),
    path("values/import/", indicators.value_import, name="brain_import"),
    path("values/import/template/", indicators.import_template, name="brain_import_template"),
]
