from django.urls import path

from resources import views

urlpatterns = [
    path("review/", views.review_queue, name="resource_review"),
    path("mine/", views.my_records, name="resource_mine"),
    path("subscriptions/", views.subscription_list, name="subscription_list"),
    path("<slug:kind>/", views.catalog, name="resource_catalog"),
    path("<slug:kind>/new/", views.record_create, name="resource_create"),
    path("<slug:kind>/import/", views.record_import, name="resource_import"),
    path("<slug:kind>/import/template/", views.import_template, name="resource_import_template"),
    path("<slug:kind>/subscribe/", views.subscribe, name="resource_subscribe"),
    path("<slug:kind>/<int:pk>/", views.record_detail, name="resource_detail"),
    path("<slug:kind>/<int:pk>/edit/", views.record_edit, name="resource_edit"),
    path("<slug:kind>/<int:pk>/history/", views.record_history, name="resource_history"),
    path("<slug:kind>/<int:pk>/<slug:action>/", views.record_action, name="resource_action"),
]
