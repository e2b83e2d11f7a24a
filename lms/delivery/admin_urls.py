"""Mounted at /admin/club-delivery/ by lms/urls.py, ahead of the Wagtail admin (see views.admin.guard)."""

from django.urls import path

from .selectors.access import MANAGE_MEETINGS, VIEW_ALL
from .views import admin, report
from .views.admin import VIEW_ALERTS, guard

app_name = "delivery_admin"

urlpatterns = [
    path("", guard(VIEW_ALL)(report.dashboard), name="report"),
    path("export/", guard(VIEW_ALL)(report.export), name="export"),
    path("clubs/", guard(VIEW_ALL)(admin.clubs), name="clubs"),
    path("clubs/<int:club_id>/", guard(VIEW_ALL)(admin.club), name="club"),
    path("meetings/", guard(MANAGE_MEETINGS)(admin.meetings), name="meetings"),
    path("meetings/new/", guard(MANAGE_MEETINGS)(admin.meeting_new), name="meeting_new"),
    path("meetings/<int:meeting_id>/", guard(MANAGE_MEETINGS)(admin.meeting), name="meeting"),
    path("meetings/<int:meeting_id>/edit/", guard(MANAGE_MEETINGS)(admin.meeting_edit), name="meeting_edit"),
    path(
        "meetings/<int:meeting_id>/invite/",
        guard(MANAGE_MEETINGS)(admin.meeting_invite),
        name="meeting_invite",
    ),
    path(
        "meetings/<int:meeting_id>/attendance/",
        guard(MANAGE_MEETINGS)(admin.meeting_attendance),
        name="meeting_attendance",
    ),
    path(
        "meetings/<int:meeting_id>/attendee/",
        guard(MANAGE_MEETINGS)(admin.meeting_attendee),
        name="meeting_attendee",
    ),
    path(
        "meetings/<int:meeting_id>/minutes/",
        guard(MANAGE_MEETINGS)(admin.meeting_minutes),
        name="meeting_minutes",
    ),
    path(
        "meetings/<int:meeting_id>/cancel/",
        guard(MANAGE_MEETINGS)(admin.meeting_cancel),
        name="meeting_cancel",
    ),
    path("meetings/<int:meeting_id>/code/", guard(MANAGE_MEETINGS)(admin.meeting_code), name="meeting_code"),
    path("meetings/<int:meeting_id>/code.svg", guard(MANAGE_MEETINGS)(admin.meeting_qr), name="meeting_qr"),
    path("alerts/", guard(VIEW_ALERTS)(admin.alerts), name="alerts"),
    path(
        "alerts/<int:alert_id>/follow-up/", guard(VIEW_ALERTS)(admin.alert_follow_up), name="alert_follow_up"
    ),
]
