"""成果转化 pages: each part keeps its own routes (screening, catalogs and valuation, trading
and contract registration)."""

from transfer import urls_catalogs, urls_screening, urls_trading

urlpatterns = [
    *urls_screening.urlpatterns,
    *urls_catalogs.urlpatterns,
    *urls_trading.urlpatterns,
]
