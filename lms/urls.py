from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from courses import views as course_views
from lms.accounts import views as account_views
from lms.offline import views as offline_views

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # The service worker lives at the root so that it can serve the whole site offline.
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline_views.web_manifest, name="web_manifest"),
    path("admin/programme-reports/", include("lms.reports.admin_urls")),
    # One way to sign in: Wagtail's own login and password reset hand over to allauth's pages
    # (verified email, two-factor code, lockout). These come before Wagtail's admin URLs.
    path("admin/login/", account_views.sign_in_handover, {"default_next": "/admin/"}),
    re_path(r"^admin/password_reset/", account_views.password_reset_handover),
    path("admin/club-delivery/", include("lms.delivery.admin_urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Images and documents of restricted courses (lms.storage): only through the access decision.
    path("media-private/<path:name>", course_views.restricted_file, name="restricted_file"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("sitemap.xml", sitemap, name="sitemap"),
]

urlpatterns += i18n_patterns(
    path("accounts/signup/", account_views.SignupView.as_view(), name="account_signup"),
    path("accounts/login/", account_views.LoginView.as_view(), name="account_login"),
    path(
        "accounts/password/reset/", account_views.PasswordResetView.as_view(), name="account_reset_password"
    ),
    path(
        "accounts/password/change/",
        account_views.PasswordChangeView.as_view(),
        name="account_change_password",
    ),
    # Two-factor set-up that keeps `next` through the recovery codes (before allauth's own URLs).
    path("accounts/2fa/totp/activate/", account_views.ActivateTOTPView.as_view(), name="mfa_activate_totp"),
    path(
        "accounts/2fa/recovery-codes/",
        account_views.ViewRecoveryCodesView.as_view(),
        name="mfa_view_recovery_codes",
    ),
    path("accounts/", include("lms.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("search/", course_views.search, name="search"),
    path("learn/offline/", include("lms.offline.urls")),
    path("offline/", offline_views.offline_page, name="offline_page"),
    path("learn/", include("courses.urls")),
    path("learn/", include("assessments.urls")),
    path("certificates/", include("certificates.urls")),
    # Wagtail's sign-in form for private pages hands over to the same sign-in page.
    path("_util/login/", account_views.sign_in_handover),
    path("clubs/", include("lms.delivery.urls")),
    path("glossary/", include("glossary.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
