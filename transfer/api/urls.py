from transfer.api import catalogs, screening, trading

urlpatterns = [*screening.urlpatterns, *catalogs.urlpatterns, *trading.urlpatterns]
