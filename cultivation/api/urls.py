from cultivation.api import views
from kechuang.api import DefaultRouter

router = DefaultRouter()
router.register("cultivation/years", views.EnterpriseYearViewSet, basename="cultivation-year")
router.register(
    "cultivation/assessments", views.AssessmentViewSet, basename="cultivation-assessment"
)
router.register("cultivation/pools", views.PoolMembershipViewSet, basename="cultivation-pool")

urlpatterns = router.urls
