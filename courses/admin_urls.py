from django.urls import path

from . import admin_views

urlpatterns = [
    path("<int:release_id>/", admin_views.release_detail, name="release"),
]
