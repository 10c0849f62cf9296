from django.contrib.auth import views as auth_views
from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", views.profile, name="profile"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="core/password_change.html", success_url="/accounts/profile/"
        ),
        name="password_change",
    ),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("audit/", views.audit_list, name="audit_list"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/demo/", views.job_start_demo, name="job_start_demo"),
    path("jobs/start/<str:kind>/", views.job_start, name="job_start"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
]
