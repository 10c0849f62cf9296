from bridging.api.views import MatchViewSet
from kechuang.api import DefaultRouter

router = DefaultRouter()
router.register("matches", MatchViewSet, basename="match")

urlpatterns = router.urls
