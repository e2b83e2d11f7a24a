"""CPC Learn: the platform shell (settings, URLs, Celery, base templates)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
