"""科创大脑 routes of the district innovation index (长春市县（市）区科技创新指数)."""

from django.urls import path

from brain.views import index

urlpatterns = [
    path("index/", index.ranking, name="brain_index"),
    path("index/sensitivity/", index.sensitivity, name="brain_index_sensitivity"),
    path("index/methodology/", index.methodology, name="brain_index_methodology"),
]
