from django.urls import path

from . import admin_views

urlpatterns = [
    path("", admin_views.certificate_list, name="list"),
    path("<int:certificate_id>/", admin_views.certificate_detail, name="detail"),
    path("templates/<int:template_id>/preview/<str:language>/", admin_views.template_preview, name="preview"),
    path("templates/<int:template_id>/reissue/", admin_views.template_reissue, name="reissue"),
]
