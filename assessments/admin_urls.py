from django.urls import path

from . import admin_views

urlpatterns = [
    path("quizzes/<int:quiz_id>/results/", admin_views.quiz_results, name="quiz_results"),
    path("questions/<int:question_id>/regrade/", admin_views.question_regrade, name="question_regrade"),
]
