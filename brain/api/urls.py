"""科创大脑 API: each part keeps its own endpoints (indicators, values and comparisons; the
district innovation index; the dashboard's chart data)."""

from brain.api import charts, index, indicators

urlpatterns = [*indicators.urlpatterns, *index.urlpatterns, *charts.urlpatterns]
