from django.urls import path

from . import views
from .h5p import views as h5p_views

H5P = "h5p/<int:lesson_id>/<int:activity_id>/<str:signature>/"
PLAY = "h5p/play/<str:player_token>/"

app_name = "assessments"

urlpatterns = [
    path("quizzes/<int:quiz_id>/start/", views.start, name="start"),
    path("attempts/<int:attempt_id>/", views.attempt, name="attempt"),
    path("attempts/<int:attempt_id>/answer/", views.answer, name="answer"),
    path("attempts/<int:attempt_id>/submit/", views.submit, name="submit"),
    path("attempts/<int:attempt_id>/result/", views.result, name="result"),
    path(H5P + "xapi/", h5p_views.xapi, name="h5p_xapi"),
    path(H5P + "state/<str:data_type>/<str:sub_content_id>/", h5p_views.state, name="h5p_state"),
    path(H5P + "failure/", h5p_views.failure, name="h5p_failure"),
    # The sandboxed player frame (see assessments.h5p.frame): its page, the package, its runtime.
    path(PLAY, h5p_views.player, name="h5p_player"),
    path(PLAY + "package/<path:path>", h5p_views.package_file, name="h5p_package"),
    path(
        PLAY + "libraries/<str:libraries_token>/<str:library>/<path:path>",
        h5p_views.library_file,
        name="h5p_library",
    ),
    # Offline play (only on H5P_ORIGIN): the worker that serves kept frames, and the page that keeps them.
    path("h5p/runtime/sw.js", h5p_views.offline_worker, name="h5p_offline_worker"),
    path("h5p/runtime/offline/", h5p_views.offline_helper, name="h5p_offline_helper"),
    path("h5p/runtime/<str:version>/<path:path>", h5p_views.runtime_file, name="h5p_runtime"),
]
