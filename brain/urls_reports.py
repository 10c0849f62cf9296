"""科创大脑 routes of the monthly and quarterly reports (通报)."""

from django.urls import path

from brain.views import reports

urlpatterns = [
    path("reports/", reports.report_list, name="brain_reports"),
    path("reports/<int:pk>/<str:fmt>/", reports.download, name="brain_report_file"),
]
