"""The embedded default (`make run`): SQLite, tasks inline, console email, demo data."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# `make run` shows the site's own 404 and 500 pages, not Django's debug pages (lms/error_pages.py).
SITE_ERROR_PAGES = env.bool("SITE_ERROR_PAGES", default=True)
DEMO_MODE = env.bool("DEMO_MODE", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
STORAGES = {
    "default": {"BACKEND": "lms.storage.MediaStorage"},
    # No manifest in development: collectstatic is not needed to serve the site.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
