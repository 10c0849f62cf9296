"""成果筛选评价 routes: technology readiness of an achievement, the bureau's screenings and the
expert's score sheets."""

from django.urls import path

from transfer.views import screening

urlpatterns = [
    # An achievement's entry into technology transfer: its readiness, history and screenings.
    path("achievements/<int:pk>/", screening.achievement, name="transfer_achievement"),
    path(
        "achievements/<int:pk>/panel/",
        screening.achievement_panel,
        name="transfer_achievement_panel",
    ),
    path("achievements/<int:pk>/trl/", screening.trl_assess, name="transfer_trl_assess"),
    path("trl/", screening.trl_pending, name="transfer_trl_pending"),
    path("trl/<int:pk>/", screening.trl_detail, name="transfer_trl"),
    # The bureau's screenings.
    path("screenings/", screening.screening_list, name="transfer_screenings"),
    path("screenings/new/", screening.screening_create, name="transfer_screening_create"),
    path("screenings/<int:pk>/", screening.screening_detail, name="transfer_screening"),
    # The expert's tasks.
    path("screening-tasks/", screening.screening_tasks, name="transfer_screening_tasks"),
    path("screenings/<int:pk>/sheet/", screening.screening_sheet, name="transfer_screening_sheet"),
]
