"""Settings shared by every environment. Values come from the environment (django-environ)."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

LMS_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = LMS_DIR.parent

env = environ.Env()
# A .env file in the project folder is read if present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Demo mode builds demo accounts and content; production settings force it off.
DEMO_MODE = env.bool("DEMO_MODE", default=False)
DEMO_PASSWORD = env("DEMO_PASSWORD", default="cpc-learn-demo")

INSTALLED_APPS = [
    "lms.accounts",
    "lms.home",
    "courses",
    "glossary",
    "assessments",
    "certificates",
    "curricula",
    "curricula.smart_navigator",
    "curricula.voice_up",
    "curricula.kcso",
    "curricula.child_friendly_investigation",
    # Before lms.reports: its generate_scale_data command extends the reports' one (the first app wins).
    "lms.delivery",
    "lms.reports",
    "lms.offline",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "django.contrib.sitemaps",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "lms.accounts.apps.UsersAdminConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "assessments.h5p.middleware.H5POriginMiddleware",  # the H5P host answers player URLs only
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "lms.accounts.middleware.TwoFactorRequiredMiddleware",
    "lms.offline.middleware.ClearSiteDataOnSignOutMiddleware",  # sign-out empties the device
    "axes.middleware.AxesMiddleware",
    "lms.security.CSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # The site's own 404/500 pages under DEBUG too (lms/error_pages.py); off unless SITE_ERROR_PAGES.
    "lms.error_pages.SiteErrorPagesMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [LMS_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a test runner share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            # Writers take the lock when the transaction starts, so two requests never deadlock
            # upgrading a read lock (SQLite would answer "database is locked" at once).
            "transaction_mode": "IMMEDIATE",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that accepts the connection and never answers fails the connect in time.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://cpclearn")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that hangs fails a cache call after this many seconds instead of holding the request.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {
            "socket_connect_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=2.0),
            "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=2.0),
        }
    )
# /healthz gives each check (database, cache, broker) at most this many seconds, all at once.
HEALTHZ_TIMEOUT = env.float("HEALTHZ_TIMEOUT", default=1.5)
# Sessions are read from the cache (Redis in production) and written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out sign-ins before checking passwords
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Sign-in lockout (django-axes, lms/accounts/lockout.py). Failures are counted per account (from
# any address) and per address (for any account), separately: an account is locked after
# AXES_FAILURE_LIMIT failures, an address after AXES_ADDRESS_FAILURE_LIMIT failures across all
# accounts (password stuffing), each until AXES_COOLOFF_HOURS after the last failure. Wrong
# two-factor codes count too; a successful sign-in or a password reset forgives the account.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "lms.accounts.lockout.AccountAndAddressHandler"
# allauth hands `email` to authenticate() and posts `login`; one callable reads either.
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "lms.accounts.lockout.username_from_credentials"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "lms.accounts.lockout.lockout_response"
# The number of reverse proxies in front of the site (nginx alone: 1). The visitor's address is
# then the one the outermost proxy saw, the N-th from the right in X-Forwarded-For (never an
# address the visitor wrote there). With 0 behind nginx, everybody would share nginx's address.
# allauth's own rate limits read the address the same way.
TRUSTED_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "lms.accounts.lockout.client_address"
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "courses:dashboard"
# One way to sign in: Wagtail's admin and private pages send people to allauth's sign-in page,
# and password and email changes happen on the site's account pages (allauth), not Wagtail's.
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False

# allauth: email is the login; verification is mandatory before the first sign-in.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up and password reset never tell whether an address has an account: both answer the same
# page, and the owner of an existing account gets an email saying someone tried to sign up.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_FORMS = {"signup": "lms.accounts.forms.SignupForm"}
ACCOUNT_ADAPTER = "lms.accounts.adapters.AccountAdapter"
ACCOUNT_SIGNUP_OPEN = env.bool("ACCOUNT_SIGNUP_OPEN", default=True)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "CPC Learn: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# Limits per address are generous: a training room signs in and signs up together behind one
# school or office address. Failed sign-ins are counted by the lockout above alone (per account
# and per address, with its own page), not by allauth, so one person's typos block nobody else.
ACCOUNT_RATE_LIMITS = {
    "login": "120/m/ip",
    "login_failed": None,
    "signup": "40/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "10/m/ip,3/5m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CPC Learn"
MFA_TOTP_TOLERANCE = 1  # accept the code of the previous and next 30 s (phone clocks drift)

LANGUAGE_CODE = "mn"
LANGUAGES = [("mn", "Монгол"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [LMS_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Ulaanbaatar")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    LMS_DIR / "static",
    # The H5P player from npm (`make setup` runs `npm ci`): served as static files, never from a CDN.
    ("h5p-standalone", BASE_DIR / "node_modules" / "h5p-standalone" / "dist"),
    # Chart.js for the programme reports, from npm the same way.
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    # Workbox (the service worker's library), from npm the same way: one folder for its modules.
    *[
        ("workbox", BASE_DIR / "node_modules" / f"workbox-{name}" / "build")
        for name in ("sw", "core", "routing", "strategies", "precaching")
    ],
]
# Offline learning (lms.offline): change it to make every device renew the offline fallback pages.
OFFLINE_APP_VERSION = env("OFFLINE_APP_VERSION", default="1")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Files that must never be public (certificate PDFs): served only through views that check access.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private-media")))
# H5P packages: the uploaded files, their extracted content and the shared libraries. Private:
# served only through views that check who may see the lesson.
# Empty: PRIVATE_MEDIA_ROOT/h5p.
H5P_ROOT = env("H5P_ROOT", default="")
H5P_MAX_PACKAGE_MB = env.int("H5P_MAX_PACKAGE_MB", default=200)
H5P_MAX_UNCOMPRESSED_MB = env.int("H5P_MAX_UNCOMPRESSED_MB", default=500)
H5P_MAX_FILES = env.int("H5P_MAX_FILES", default=5000)
H5P_MAX_COMPRESSION_RATIO = env.float("H5P_MAX_COMPRESSION_RATIO", default=100.0)
H5P_MAX_STATE_BYTES = env.int("H5P_MAX_STATE_BYTES", default=64 * 1024)  # one saved player state
H5P_MAX_STATEMENTS_BYTES = env.int("H5P_MAX_STATEMENTS_BYTES", default=256 * 1024)  # one xAPI request
H5P_MAX_STATEMENTS = env.int("H5P_MAX_STATEMENTS", default=50)  # statements in one xAPI request
H5P_SAVE_SECONDS = env.int("H5P_SAVE_SECONDS", default=30)  # how often players save their state
# The player runs each activity in a sandboxed frame. Empty: the frame comes from this site (a path
# of its own, an opaque origin); or another origin served by this same app, e.g.
# https://h5p.learn.example.mn (add its host to ALLOWED_HOSTS), which then answers player URLs only.
H5P_ORIGIN = env("H5P_ORIGIN", default="").rstrip("/")
# Hosts H5P content may load media and scripts from (e.g. youtu.be, www.youtube.com, *.ytimg.com).
# Empty: nothing from another host; the site works with no internet beyond itself, and the
# player says, in place of the element, what it did not load.
H5P_ALLOWED_HOSTS = env.list("H5P_ALLOWED_HOSTS", default=[])
H5P_PLAYER_TOKEN_HOURS = env.int("H5P_PLAYER_TOKEN_HOURS", default=12)  # life of a player frame's URL
STORAGES = {
    "default": {"BACKEND": "lms.storage.MediaStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Files that views check before sending (documents, files of restricted courses) are handed to
# nginx with X-Accel-Redirect when this prefix is set (its internal locations: see README).
ACCEL_REDIRECT_PREFIX = env("ACCEL_REDIRECT_PREFIX", default="")
SENDFILE_BACKEND = "lms.sendfile"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CPC Learn <noreply@cpclearn.mn>")
# A mail server that stops answering gives up after this many seconds (the email is retried).
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=30.0)

# Celery: JSON only, acknowledge after the work is done, hard limits so a stuck task dies.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# A broker that is down or hangs must not hold a learner's request: connecting, and every socket
# operation on the broker, gives up after this many seconds, and lms.queue.publish (the one way
# tasks are queued) stops waiting after it too. The periodic sweeps then do the work.
CELERY_BROKER_TIMEOUT = env.float("CELERY_BROKER_TIMEOUT", default=2.0)
CELERY_BROKER_CONNECTION_TIMEOUT = CELERY_BROKER_TIMEOUT
# A publish is tried again once at once (a pooled connection the broker closed), never in a loop.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# A task a dead worker had taken is given to another worker after this many seconds (Redis).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # How often workers look for such abandoned tasks (about interval x throttle seconds).
    "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_RESTORE_THROTTLE", default=10),
    # Without these, a broker that accepts the connection and never answers blocks forever.
    "socket_connect_timeout": CELERY_BROKER_TIMEOUT,
    "socket_timeout": CELERY_BROKER_TIMEOUT,
}
CELERY_BEAT_SCHEDULE = {
    # Certificates for completions whose issue task was lost (e.g. the broker was down), and
    # certificate emails not sent yet (a worker died, the mail server was down).
    "certificates-sweep": {
        "task": "certificates.sweep",
        "schedule": env.int("CERTIFICATE_SWEEP_SECONDS", default=600),
    },
    # Congratulation emails of recent completions not sent yet (the same reasons).
    "courses-completion-emails-sweep": {
        "task": "courses.completion_emails_sweep",
        "schedule": env.int("COMPLETION_EMAIL_SWEEP_SECONDS", default=600),
    },
    # Report exports expire: their files are deleted.
    "reports-purge-exports": {"task": "reports.purge_exports", "schedule": 3600},
    # Safeguarding alerts whose email was not sent (broker or mail server down, nobody to tell yet).
    "delivery-safeguarding-sweep": {
        "task": "delivery.safeguarding_alerts_sweep",
        "schedule": env.int("SAFEGUARDING_SWEEP_SECONDS", default=600),
    },
}
# Emails tied to a completion or a certificate are claimed before sending (lms/outbox.py); a
# claim whose worker died is taken over by the sweep after this many seconds. Longer than a task's
# hard time limit, so the claim of a worker still sending never expires under it.
EMAIL_CLAIM_LEASE_SECONDS = env.int("EMAIL_CLAIM_LEASE_SECONDS", default=900)
if EMAIL_CLAIM_LEASE_SECONDS <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("EMAIL_CLAIM_LEASE_SECONDS must be longer than CELERY_TASK_TIME_LIMIT.")
# Addresses that receive every safeguarding alert besides the Safeguarding leads group (a shared mailbox).
SAFEGUARDING_ALERT_EMAILS = env.list("SAFEGUARDING_ALERT_EMAILS", default=[])
# Hours an export file stays downloadable (then a beat job deletes it).
REPORT_EXPORT_HOURS = env.int("REPORT_EXPORT_HOURS", default=24)

WAGTAIL_SITE_NAME = "CPC Learn"
# The public address of the site, used in emails and certificates.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default=SITE_URL)
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx"]
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"png": "webp", "jpeg": "webp", "gif": "webp", "bmp": "webp"}
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# No Gravatar: it would send a hash of every staff email to a third party (and fails offline).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_USER_EDIT_FORM = "lms.accounts.forms.WagtailUserEditForm"
WAGTAIL_USER_CREATION_FORM = "lms.accounts.forms.WagtailUserCreationForm"
WAGTAIL_USER_CUSTOM_FIELDS = ["full_name", "role", "region", "organisation", "sex", "birth_year"]

# Wagtail's own background jobs (reference index, file cleanup) run immediately.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Content Security Policy (django-csp): only this site's own scripts, styles, images and frames.
# The H5P player (served from this site) is allowed by 'self'; nothing comes from a CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],  # and H5P_ORIGIN when set (lms.security)
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Human-readable names for the sign-up/profile enumerations live with the models.
SITE_TITLE = _("CPC Learn")
