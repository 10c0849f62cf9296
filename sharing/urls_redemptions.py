"""Routes of 核销与兑付, 异常核查 and 关联关系."""

from django.urls import path

from sharing.views import flags, redemptions

urlpatterns = [
    path("redemptions/", redemptions.redemption_list, name="sharing_redemptions"),
    path("redemptions/redeem/", redemptions.redemption_create, name="sharing_redeem"),
    path("redemptions/<int:pk>/", redemptions.redemption_detail, name="sharing_redemption"),
    path("redemptions/<int:pk>/rate/", redemptions.redemption_rate, name="sharing_redemption_rate"),
    path("settlements/new/", redemptions.settlement_create, name="sharing_settlement_create"),
    path("settlements/payments/", redemptions.settlement_payments, name="sharing_payments"),
    path("settlements/<int:pk>/", redemptions.settlement_detail, name="sharing_settlement"),
    path(
        "settlements/<int:pk>/approve/",
        redemptions.settlement_decide,
        {"action": "approve"},
        name="sharing_settlement_approve",
    ),
    path(
        "settlements/<int:pk>/refuse/",
        redemptions.settlement_decide,
        {"action": "refuse"},
        name="sharing_settlement_refuse",
    ),
    path("flags/", flags.flag_list, name="sharing_flags"),
    path("flags/scan/", flags.flag_scan, name="sharing_flags_scan"),
    path("flags/<int:pk>/review/", flags.flag_review, name="sharing_flag_review"),
    path("relations/", flags.relation_list, name="sharing_relations"),
    path("relations/new/", flags.relation_create, name="sharing_relation_create"),
    path("relations/<int:pk>/delete/", flags.relation_delete, name="sharing_relation_delete"),
]
