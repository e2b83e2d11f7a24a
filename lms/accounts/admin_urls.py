from django.urls import path

from . import admin_views

urlpatterns = [
    path("", admin_views.access_requests, name="access_requests"),
    path("<int:request_id>/decide/", admin_views.access_request_decide, name="access_request_decide"),
]
