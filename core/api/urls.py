from django.urls import include, path

from core.api import views
from kechuang.api import DefaultRouter

router = DefaultRouter()
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("regions", views.RegionViewSet, basename="region")
router.register("chain-nodes", views.ChainNodeViewSet, basename="chainnode")
router.register("jobs", views.JobViewSet, basename="job")

urlpatterns = [
    path("me/", views.me, name="api_me"),
    path("auth/token/", views.obtain_token, name="api_token"),
    path("", include(router.urls)),
]
