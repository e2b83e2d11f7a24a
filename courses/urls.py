from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("courses/<int:page_id>/enrol/", views.enrol, name="enrol"),
    path("courses/<int:page_id>/move/", views.move, name="move"),
    path("lessons/<int:page_id>/complete/", views.lesson_complete, name="lesson_complete"),
    path("lessons/<int:page_id>/time/", views.lesson_time, name="lesson_time"),
]
