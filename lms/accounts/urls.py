from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("join/", views.join, name="join"),
    path("request-access/", views.request_access, name="request_access"),
    path("my-data/", views.my_data, name="my_data"),
    path("delete/", views.delete_account, name="delete"),
]
