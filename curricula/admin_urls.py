from django.urls import path

from . import admin_views

urlpatterns = [
    path("release/<int:release_id>/", admin_views.release_legal_review, name="release_legal_review"),
]
