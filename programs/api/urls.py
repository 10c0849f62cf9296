from kechuang.api import DefaultRouter
from programs.api.views import (
    ApplicationViewSet,
    CallViewSet,
    ChangeViewSet,
    PublicityViewSet,
    ReportViewSet,
    ReviewViewSet,
)

router = DefaultRouter()
router.register("calls", CallViewSet, basename="call")
router.register("applications", ApplicationViewSet, basename="application")
router.register("reviews", ReviewViewSet, basename="review")
router.register("publicities", PublicityViewSet, basename="publicity")
router.register("reports", ReportViewSet, basename="report")
router.register("changes", ChangeViewSet, basename="change")

urlpatterns = router.urls
