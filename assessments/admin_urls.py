from django.urls import path

from . import admin_views
from .h5p import admin as h5p_admin

urlpatterns = [
    path("quizzes/<int:quiz_id>/results/", admin_views.quiz_results, name="quiz_results"),
    path("questions/<int:question_id>/regrade/", admin_views.question_regrade, name="question_regrade"),
    path("h5p/<int:activity_id>/results/", h5p_admin.activity_results, name="h5p_results"),
    path("h5p/attempts/<int:attempt_id>/", h5p_admin.attempt_detail, name="h5p_attempt"),
]
