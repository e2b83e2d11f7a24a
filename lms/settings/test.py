"""Settings for the test suite: SQLite by default, PostgreSQL and Redis when CI sets them."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
DEMO_MODE = False
SECRET_KEY = "test-only-key"  # noqa: S105 - the test suite's own key
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default="")  # a worker started by the tests writes mail here
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "lms.storage.MediaStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ACCOUNT_RATE_LIMITS = False
WAGTAILADMIN_BASE_URL = "http://testserver"
# Tasks run inline, except in tests marked integration: their fixture starts a real worker on
# CELERY_BROKER_URL and turns eager mode off for the test's duration.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# SQLite tests use a file, not shared memory: the browser tests' live server thread then waits
# for a lock (busy timeout) instead of failing with "database table is locked".
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}  # noqa: F405
# A worker started by the tests is pointed at the test database by name.
if env("WORKER_DATABASE_NAME", default=""):
    DATABASES["default"]["NAME"] = env("WORKER_DATABASE_NAME")  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False}
PRIVATE_MEDIA_ROOT = BASE_DIR / ".test-private-media"
