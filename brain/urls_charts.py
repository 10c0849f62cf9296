"""科创大脑 dashboard pages (included by brain.urls)."""

from django.urls import path

from brain.views import dashboard

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="brain_dashboard"),
]
