from django.urls import path

from bridging import views

urlpatterns = [
    path("", views.workbench, name="bridging_workbench"),
    path("mine/", views.my_matches, name="bridging_mine"),
    path("funnel/", views.funnel, name="bridging_funnel"),
    path("matches/new/", views.match_create, name="match_create"),
    path("recommend/<slug:kind>/<int:pk>/", views.recommendations, name="bridging_recommend"),
    path("matches/<int:pk>/", views.match_detail, name="match_detail"),
    path("matches/<int:pk>/<slug:action>/", views.match_action, name="match_action"),
]
