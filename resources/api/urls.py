from kechuang.api import DefaultRouter
from resources.api.views import viewsets_for_router

router = DefaultRouter()
for prefix, viewset in viewsets_for_router():
    router.register(f"resources/{prefix}", viewset, basename=f"resources-{prefix}")

urlpatterns = router.urls
