from rest_framework.routers import DefaultRouter

from bridging.api.views import MatchViewSet

router = DefaultRouter()
router.register("matches", MatchViewSet, basename="match")

urlpatterns = router.urls
