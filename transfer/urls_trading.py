"""成果转化 home, trading (挂牌 and bids), 技术合同认定登记 and statistics routes."""

from django.urls import path

from transfer.views import contracts, home, statistics, trading

urlpatterns = [
    path("", home.home, name="transfer_home"),
    # 挂牌 and bids: the list and detail pages are public.
    path("listings/", trading.listing_list, name="transfer_listings"),
    path("listings/new/<int:achievement>/", trading.listing_create, name="transfer_listing_create"),
    path("listings/<int:pk>/", trading.listing_detail, name="transfer_listing"),
    path("listings/<int:pk>/bid/", trading.listing_bid, name="transfer_listing_bid"),
    path("listings/<int:pk>/close/", trading.listing_close, name="transfer_listing_close"),
    path("listings/<int:pk>/deal/", trading.listing_deal, name="transfer_listing_deal"),
    path("listings/<int:pk>/withdraw/", trading.listing_withdraw, name="transfer_listing_withdraw"),
    # 技术合同认定登记.
    path("contracts/", contracts.contract_list, name="transfer_contracts"),
    path("contracts/new/", contracts.contract_create, name="transfer_contract_create"),
    path("contracts/registrar/", contracts.registrar_queue, name="transfer_registrar"),
    path("contracts/<int:pk>/", contracts.contract_detail, name="transfer_contract"),
    path("contracts/<int:pk>/edit/", contracts.contract_edit, name="transfer_contract_edit"),
    path("contracts/<int:pk>/submit/", contracts.contract_submit, name="transfer_contract_submit"),
    path(
        "contracts/<int:pk>/register/",
        contracts.contract_register,
        name="transfer_contract_register",
    ),
    path("contracts/<int:pk>/refuse/", contracts.contract_refuse, name="transfer_contract_refuse"),
    # Statistics and monitoring (the bureau; a district admin sees the own district).
    path("statistics/", statistics.contract_statistics, name="transfer_statistics"),
    path("statistics/funnel/", statistics.funnel, name="transfer_funnel"),
]
