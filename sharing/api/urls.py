"""The sharing API under /api/sharing/: each part keeps its own routes."""

from sharing.api import instruments, redemptions, subsidies, vouchers

urlpatterns = [
    *instruments.urlpatterns,
    *subsidies.urlpatterns,
    *vouchers.urlpatterns,
    *redemptions.urlpatterns,
]
