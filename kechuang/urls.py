from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

admin.site.site_header = "科创智服云平台 · 管理后台"
admin.site.site_title = "科创智服云平台"
admin.site.index_title = "后台管理"

# Under /api/ these answer in the API's error shape; elsewhere Django's pages (kechuang/api.py).
handler400 = "kechuang.api.bad_request"
handler404 = "kechuang.api.not_found"
handler500 = "kechuang.api.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/", include("core.api.urls")),
    path("api/", include("resources.api.urls")),
    path("api/", include("bridging.api.urls")),
    path("api/", include("integrity.api.urls")),
    path("api/", include("programs.api.urls")),
    path("api/", include("cultivation.api.urls")),
    path("api/", include("transfer.api.urls")),
    path("api/", include("brain.api.urls")),
    path("api/", include("sharing.api.urls")),
    path("resources/", include("resources.urls")),
    path("bridging/", include("bridging.urls")),
    path("integrity/", include("integrity.urls")),
    path("programs/", include("programs.urls")),
    path("cultivation/", include("cultivation.urls")),
    path("transfer/", include("transfer.urls")),
    path("brain/", include("brain.urls")),
    path("sharing/", include("sharing.urls")),
    path("", include("core.urls")),
]
