from django.urls import path
from rest_framework.routers import DefaultRouter

from integrity.api import views

router = DefaultRouter()
router.register("integrity/records", views.IntegrityRecordViewSet, basename="integrity-record")

urlpatterns = [
    path("integrity/check/", views.check, name="api_integrity_check"),
    *router.urls,
]
