"""Routes of 先用后补 and the annual open-sharing evaluation."""

from django.urls import path

from sharing.views import evaluations, subsidies

urlpatterns = [
    path("subsidies/", subsidies.subsidy_home, name="sharing_subsidies"),
    path("subsidies/preview/", subsidies.subsidy_preview, name="sharing_subsidy_preview"),
    path("subsidies/claim/", subsidies.subsidy_submit, name="sharing_subsidy_submit"),
    path("subsidies/policy/", subsidies.subsidy_policy, name="sharing_subsidy_policy"),
    path("subsidies/claims/<int:pk>/", subsidies.subsidy_claim, name="sharing_subsidy_claim"),
    path(
        "subsidies/claims/<int:pk>/approve/",
        subsidies.subsidy_approve,
        name="sharing_subsidy_approve",
    ),
    path(
        "subsidies/claims/<int:pk>/refuse/", subsidies.subsidy_refuse, name="sharing_subsidy_refuse"
    ),
    path(
        "subsidies/payments/<int:year>/",
        subsidies.subsidy_payments,
        name="sharing_subsidy_payments",
    ),
    path("evaluations/", evaluations.evaluation_list, name="sharing_evaluations"),
    path("evaluations/start/", evaluations.evaluation_start, name="sharing_evaluation_start"),
    path("evaluations/<int:pk>/", evaluations.evaluation_detail, name="sharing_evaluation"),
    path(
        "evaluations/<int:pk>/publish/",
        evaluations.evaluation_publish,
        name="sharing_evaluation_publish",
    ),
]
