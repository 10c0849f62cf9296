from django.urls import path

from integrity.api import views
from kechuang.api import DefaultRouter

router = DefaultRouter()
router.register("integrity/records", views.IntegrityRecordViewSet, basename="integrity-record")

urlpatterns = [
    path("integrity/check/", views.check, name="api_integrity_check"),
    *router.urls,
]
