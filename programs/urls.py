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
