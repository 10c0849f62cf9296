from django.urls import path

from programs import views

urlpatterns = [
    path("", views.call_list, name="program_call_list"),
    path("calls/new/", views.call_create, name="program_call_create"),
    path("calls/<int:pk>/", views.call_detail, name="program_call_detail"),
    path("calls/<int:pk>/edit/", views.call_edit, name="program_call_edit"),
    path("calls/<int:pk>/topics/", views.topic_add, name="program_topic_add"),
    path("calls/<int:pk>/publish/", views.call_publish, name="program_call_publish"),
    path("calls/<int:pk>/panel/", views.call_panel, name="program_call_panel"),
    # 立项 and 公示: the 公示 page itself is public.
    path("calls/<int:pk>/propose/", views.call_propose, name="program_call_propose"),
    path("calls/<int:pk>/publicity/", views.publicity_start, name="program_publicity_start"),
    path("publicities/<int:pk>/", views.publicity_detail, name="program_publicity_detail"),
    path(
        "publicities/<int:pk>/objections/<int:objection>/resolve/",
        views.objection_resolve,
        name="program_objection_resolve",
    ),
    path(
        "publicities/<int:pk>/finalise/",
        views.publicity_finalise,
        name="program_publicity_finalise",
    ),
    path("publicities/<int:pk>/notice/", views.publicity_notice, name="program_publicity_notice"),
    path("applications/", views.application_list, name="program_application_list"),
    path("applications/new/", views.application_create, name="program_application_create"),
    path("applications/<int:pk>/", views.application_detail, name="program_application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="program_application_edit"),
    path(
        "applications/<int:pk>/attachments/",
        views.attachment_add,
        name="program_attachment_add",
    ),
    path(
        "applications/<int:pk>/attachments/<int:attachment>/",
        views.attachment_download,
        name="program_attachment",
    ),
    path(
        "applications/<int:pk>/attachments/<int:attachment>/delete/",
        views.attachment_remove,
        name="program_attachment_remove",
    ),
    # After funding; before the generic action pattern, which would take "contract" for one.
    path("applications/<int:pk>/contract/", views.contract_issue, name="program_contract_issue"),
    path("applications/<int:pk>/contract/sign/", views.contract_sign, name="program_contract_sign"),
    path(
        "applications/<int:pk>/reports/<int:report>/submit/",
        views.report_submit,
        name="program_report_submit",
    ),
    path(
        "applications/<int:pk>/reports/<int:report>/review/",
        views.report_review,
        name="program_report_review",
    ),
    path(
        "applications/<int:pk>/inspections/",
        views.inspection_add,
        name="program_inspection_add",
    ),
    path("applications/<int:pk>/changes/", views.change_request, name="program_change_request"),
    path(
        "applications/<int:pk>/changes/<int:change>/decide/",
        views.change_decide,
        name="program_change_decide",
    ),
    path("applications/<int:pk>/acceptance/", views.final_report, name="program_final_report"),
    path(
        "applications/<int:pk>/acceptance/panel/",
        views.acceptance_panel,
        name="program_acceptance_panel",
    ),
    path("applications/<int:pk>/verdict/", views.verdict, name="program_verdict"),
    path("applications/<int:pk>/outcomes/", views.outcome_add, name="program_outcome_add"),
    path(
        "applications/<int:pk>/<slug:action>/",
        views.application_action,
        name="program_application_action",
    ),
    path("reviews/", views.review_list, name="program_review_list"),
    path("reviews/<int:pk>/", views.review_detail, name="program_review_detail"),
    path("reviews/<int:pk>/respond/", views.review_respond, name="program_review_respond"),
    path(
        "reviews/<int:pk>/attachments/<int:attachment>/",
        views.review_attachment,
        name="program_review_attachment",
    ),
]
