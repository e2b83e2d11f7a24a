"""Mounted at /admin/programme-reports/ by lms/urls.py, ahead of the Wagtail admin (see views.guarded)."""

from django.urls import path

from . import views
from .views import guarded

app_name = "reports_admin"

urlpatterns = [
    path("", guarded(views.dashboard), name="dashboard"),
    path("roster/", guarded(views.roster), name="roster"),
    path("people/<int:user_id>/", guarded(views.transcript), name="transcript"),
    path("export/", guarded(views.export), name="export"),
    path("exports/<uuid:job_id>/", guarded(views.job), name="job"),
    path("exports/<uuid:job_id>/download/", guarded(views.download), name="download"),
]
