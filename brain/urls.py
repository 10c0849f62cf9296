"""科创大脑 pages: each part keeps its own routes (indicators and targets, the district
innovation index, the dashboard's map and charts)."""

from brain import urls_chains, urls_charts, urls_index, urls_indicators, urls_reports

urlpatterns = [
    *urls_indicators.urlpatterns,
    *urls_index.urlpatterns,
    *urls_charts.urlpatterns,
    *urls_chains.urlpatterns,
    *urls_reports.urlpatterns,
]
