from django.urls import path

from . import views

app_name = "offline"

urlpatterns = [
    path("status/", views.status, name="status"),
    path("sync/", views.sync, name="sync"),
    path("courses/<int:page_id>/", views.download, name="download"),
    path("papers/<str:paper_token>/", views.paper, name="paper"),
]
