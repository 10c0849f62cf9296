from django.urls import path

from integrity import views

urlpatterns = [
    path("", views.record_list, name="integrity_list"),
    path("new/", views.record_create, name="integrity_create"),
    path("import/", views.record_import, name="integrity_import"),
    path("import/template/", views.import_template, name="integrity_import_template"),
    path("<int:pk>/", views.record_detail, name="integrity_detail"),
    path("<int:pk>/edit/", views.record_edit, name="integrity_edit"),
    path("<int:pk>/revoke/", views.record_revoke, name="integrity_revoke"),
    path("<int:pk>/document/", views.record_document, name="integrity_document"),
]
