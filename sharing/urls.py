"""共享服务 pages: each part keeps its own routes (instruments and bookings, 先用后补 and the
evaluation, vouchers and providers, redemption, settlement and abuse review)."""

from django.urls import path

from sharing import urls_instruments, urls_redemptions, urls_subsidies, urls_vouchers
from sharing.views import home

urlpatterns = [
    path("", home.home, name="sharing_home"),
    *urls_instruments.urlpatterns,
    *urls_subsidies.urlpatterns,
    *urls_vouchers.urlpatterns,
    *urls_redemptions.urlpatterns,
]
