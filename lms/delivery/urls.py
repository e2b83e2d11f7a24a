"""The facilitators' pages, at /clubs/ (Mongolian) and /en/clubs/ (English)."""

from django.urls import path

from .views import site

app_name = "delivery"

urlpatterns = [
    path("", site.home, name="home"),
    path("register/", site.club_register, name="register"),
    path("check-in/", site.check_in, name="check_in"),
    path("<int:club_id>/", site.club_detail, name="club"),
    path("<int:club_id>/edit/", site.club_edit, name="club_edit"),
    path("<int:club_id>/status/", site.club_status, name="club_status"),
    path("<int:club_id>/membership/", site.membership, name="membership"),
    path("<int:club_id>/sessions/new/", site.session_new, name="session_new"),
    path("<int:club_id>/sessions/<int:log_id>/", site.session_edit, name="session_edit"),
    path("<int:club_id>/sessions/<int:log_id>/delete/", site.session_delete, name="session_delete"),
]
