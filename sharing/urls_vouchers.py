"""Routes of 创新券 (programs, applications, vouchers, verification) and 科技服务机构."""

from django.urls import path

from sharing.views import providers, vouchers

urlpatterns = [
    # 科技服务机构
    path("providers/", providers.provider_list, name="sharing_providers"),
    path("providers/apply/", providers.provider_apply, name="sharing_provider_apply"),
    path("providers/<int:pk>/", providers.provider_detail, name="sharing_provider"),
    path("providers/<int:pk>/decide/", providers.provider_decide, name="sharing_provider_decide"),
    # 创新券项目
    path("programs/", vouchers.program_list, name="sharing_programs"),
    path("programs/new/", vouchers.program_create, name="sharing_program_create"),
    path("programs/<int:pk>/", vouchers.program_detail, name="sharing_program"),
    path("programs/<int:pk>/edit/", vouchers.program_edit, name="sharing_program_edit"),
    path("programs/<int:pk>/open/", vouchers.program_open, name="sharing_program_open"),
    path("programs/<int:pk>/close/", vouchers.program_close, name="sharing_program_close"),
    path("programs/<int:pk>/apply/", vouchers.voucher_apply, name="sharing_voucher_apply"),
    # 申领
    path(
        "applications/<int:pk>/approve/",
        vouchers.application_approve,
        name="sharing_application_approve",
    ),
    path(
        "applications/<int:pk>/refuse/",
        vouchers.application_refuse,
        name="sharing_application_refuse",
    ),
    path(
        "applications/<int:pk>/withdraw/",
        vouchers.application_withdraw,
        name="sharing_application_withdraw",
    ),
    # 创新券
    path("vouchers/", vouchers.voucher_list, name="sharing_vouchers"),
    path("vouchers/verify/", vouchers.voucher_verify, name="sharing_voucher_verify"),
    path("vouchers/<int:pk>/", vouchers.voucher_detail, name="sharing_voucher"),
    path("vouchers/<int:pk>/cancel/", vouchers.voucher_cancel, name="sharing_voucher_cancel"),
]
