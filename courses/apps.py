from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from lms.accounts import personal_data

        from . import personal_data as courses_personal_data
        from . import (
            receivers,  # noqa: F401  (connects signal receivers)
            tasks,  # noqa: F401  (registers the app's Celery tasks by name: lms.queue)
        )

        personal_data.register("courses", export=courses_personal_data.export)
        _store_renditions_beside_their_originals()


def _store_renditions_beside_their_originals():
    """A restricted image's renditions must be as private as the image (``lms.storage``).

    Wagtail names a rendition's file with ``Rendition.get_upload_to`` and offers no setting for
    choosing the folder per image, short of replacing the image model; this method is the one
    thing replaced (tests/courses/test_restricted_files.py checks it still takes effect)."""
    from wagtail.images import get_image_model

    from lms.storage import rendition_upload_to

    get_image_model().get_rendition_model().get_upload_to = rendition_upload_to
