"""One way to sign in (issue 13, item 2): every entry goes through allauth (verified email,
two-factor code, lockout); the lockout counts per account and per address; sign-up and password
reset do not tell whether an address has an account."""

from __future__ import annotations

import ast
import inspect
import itertools
import re
import textwrap
import uuid
from functools import cache
from urllib.parse import unquote

import pytest
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in
from django.test import Client
from django.urls import Resolver404, URLResolver, get_resolver, resolve
from django.utils import translation
from django.utils.regex_helper import normalize

from lms.accounts import roles
from lms.accounts.models import User
from tests.factories import UserFactory, staff_client, totp_code, with_two_factor

pytestmark = pytest.mark.django_db

PASSWORD = "a-Strong-pass-42"  # every factory-made account's password
SIGN_IN = "/en/accounts/login/"


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _staff(*, two_factor: bool = True, verified: bool = True) -> tuple[User, str | None]:
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.EDITORS))
    if not verified:
        EmailAddress.objects.filter(user=user).update(verified=False)
    return user, (with_two_factor(user) if two_factor else None)


def _fail(email: str, times: int, *, address: str = "127.0.0.1") -> None:
    """Wrong passwords for ``email`` on the sign-in page, from ``address``."""
    client = Client(REMOTE_ADDR=address)
    for _ in range(times):
        client.post(SIGN_IN, {"login": email, "password": "wrong-password"})


def _sign_in(email: str, *, address: str = "127.0.0.1", password: str = PASSWORD):
    client = Client(REMOTE_ADDR=address)
    response = client.post(SIGN_IN, {"login": email, "password": password})
    return client, response


# --- Wagtail's own login forms hand over to the sign-in page -----------------------------------------


def test_admin_login_post_with_the_right_password_of_a_totp_user_signs_nobody_in(site, client):
    editor, _secret = _staff()
    for data in (
        {"username": editor.email, "password": PASSWORD},
        {"login": editor.email, "email": editor.email, "password": PASSWORD, "next": "/admin/pages/"},
    ):
        response = client.post("/admin/login/", data)
        assert not _signed_in(client)
        assert response.status_code == 302
        assert unquote(response["Location"]).startswith("/accounts/login/?next=/admin/")
    assert client.get("/admin/").status_code == 302, "still signed out"


def test_the_admin_sends_signed_out_visitors_to_the_sign_in_page(site, client):
    expected = {
        "/admin/": "/accounts/login/?next=/admin/",
        "/admin/pages/": "/accounts/login/?next=/admin/pages/",
        "/admin/login/": "/accounts/login/?next=/admin/",
        "/admin/login/?next=/admin/pages/3/": "/accounts/login/?next=/admin/pages/3/",
        "/admin/login/?next=https://evil.example/": "/accounts/login/?next=/admin/",
        "/admin/login/?next=//evil.example/x": "/accounts/login/?next=/admin/",
        "/_util/login/?next=/courses/": "/accounts/login/?next=/courses/",
        "/en/_util/login/": "/en/accounts/login/?next=/",
    }
    for url, location in expected.items():
        response = client.get(url)
        assert (response.status_code, unquote(response["Location"])) == (302, location), url


def test_a_signed_in_learner_opening_the_admin_is_not_sent_round_in_circles(site, learner_client):
    response = learner_client.get("/admin/", follow=True)
    assert [url for url, _ in response.redirect_chain] == ["/accounts/login/?next=/admin/", "/learn/"]
    assert response.status_code == 200
    messages = re.findall(r'<p class="message[^"]*">([^<]+)</p>', response.content.decode())
    assert len(messages) == 1, "the admin's message says why"


def test_a_totp_user_reaches_the_admin_through_the_sign_in_page(site, client):
    editor, secret = _staff()
    sign_in_url = client.get("/admin/pages/")["Location"]
    response = client.post(sign_in_url, {"login": editor.email, "password": PASSWORD})
    assert "/accounts/2fa/authenticate/" in response["Location"] and not _signed_in(client)
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response["Location"] == "/admin/pages/"
    assert client.session["_auth_user_id"] == str(editor.pk)
    assert client.get("/admin/pages/").status_code == 200


def test_an_unverified_email_cannot_sign_in_through_the_admin(site, client, mailoutbox):
    editor, _ = _staff(two_factor=False, verified=False)
    client.post("/admin/login/", {"username": editor.email, "password": PASSWORD})
    assert not _signed_in(client)
    response = client.post("/accounts/login/?next=/admin/", {"login": editor.email, "password": PASSWORD})
    assert "/accounts/confirm-email/" in response["Location"]
    assert not _signed_in(client)
    assert [message.to for message in mailoutbox] == [[editor.email]], "a new confirmation link"


def test_wagtails_password_reset_hands_over_to_the_sites(site, client, mailoutbox):
    user, _ = _staff()
    for url in (
        "/admin/password_reset/",
        "/admin/password_reset/done/",
        "/admin/password_reset/confirm/MQ/abc-123/",
        "/admin/password_reset/complete/",
    ):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/accounts/password/reset/"), url
    response = client.post("/admin/password_reset/", {"email": user.email})
    assert response["Location"] == "/accounts/password/reset/"
    assert mailoutbox == [], "Wagtail's own reset email is never sent"


def test_admin_logout_and_account_page_still_work(site):
    client = staff_client(roles.EDITORS)
    account = client.get("/admin/account/")
    assert account.status_code == 200
    html = account.content.decode()
    for link in ("/en/accounts/password/change/", "/en/accounts/2fa/", "/en/accounts/email/"):
        assert f'href="{link}"' in html, link
    assert "new_password1" not in html, "passwords are changed on the site's page, not Wagtail's"
    response = client.post("/admin/logout/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not _signed_in(client)
    assert client.get("/admin/").status_code == 302


# --- the lockout: per account and per address --------------------------------------------------------


def test_the_lockout_counts_under_the_account_allauth_names(site):
    UserFactory(email="target@example.mn")
    _fail("Target@Example.MN ", 1)
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["target@example.mn"]


ENTRIES = [
    ("/en/accounts/login/", "login"),
    ("/accounts/login/", "login"),
    ("/admin/login/", "username"),
    ("/_util/login/", "username"),
    ("/en/_util/login/", "username"),
]


def test_a_locked_account_stays_locked_on_every_entry(site):
    user = UserFactory(email="locked@example.mn")
    _fail(user.email, 5)
    for url, field in ENTRIES:
        client = Client()
        response = client.post(url, {field: user.email, "password": PASSWORD})
        assert not _signed_in(client), url
    client, response = _sign_in(user.email, address="203.0.113.50")
    assert response.status_code == 429 and not _signed_in(client), "locked from every address"
    assert "Sign-in is paused" in response.content.decode()
    assert "15 minutes" in response.content.decode()
    response = Client().post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Нэвтрэлтийг түр зогсоосон" in response.content.decode()
    assert "15 минутын дараа" in response.content.decode()


def test_a_locked_account_refuses_the_right_two_factor_code(site):
    editor, secret = _staff()
    client, response = _sign_in(editor.email)
    assert "/accounts/2fa/authenticate/" in response["Location"]
    statuses = [
        client.post("/en/accounts/2fa/authenticate/", {"code": "000000"}).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429], "wrong codes count like wrong passwords"
    response = client.post("/en/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 429 and not _signed_in(client)
    client, response = _sign_in(editor.email)
    assert response.status_code == 429 and not _signed_in(client)


def test_a_locked_account_is_not_signed_in_by_confirming_its_email(site, mailoutbox):
    from tests.accounts.test_accounts import _signup_data

    client = Client()
    client.post("/en/accounts/signup/", _signup_data(email="newcomer@example.mn"))
    _fail("newcomer@example.mn", 5)
    link = re.search(r"http://testserver(/en/accounts/confirm-email/\S+/)", mailoutbox[0].body).group(1)
    response = client.post(link)
    assert response.status_code == 429 and not _signed_in(client)
    assert EmailAddress.objects.get(email="newcomer@example.mn").verified, "the address is confirmed"


def test_one_persons_typos_lock_out_nobody_else_at_the_same_address(site):
    typist, colleague = UserFactory(), UserFactory()
    _fail(typist.email, 5)
    client, _ = _sign_in(typist.email)
    assert not _signed_in(client)
    client, response = _sign_in(colleague.email)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(colleague.pk)


def test_with_the_production_rate_limits_a_typist_still_blocks_nobody_else(site, settings):
    """The rate limits of allauth must not undo the per-account rule: twenty wrong passwords for
    one account, then a colleague behind the same address signs in, and the typist meets the
    lockout page (429), not a form error."""
    from django.core.cache import cache

    from lms.settings import base

    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    cache.clear()
    typist, colleague = UserFactory(), UserFactory()
    _fail(typist.email, 20)
    client, response = _sign_in(typist.email)
    assert not _signed_in(client) and response.status_code == 429
    client, response = _sign_in(colleague.email)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(colleague.pk)


def test_an_account_is_locked_whatever_address_the_guesses_come_from(site):
    user = UserFactory()
    for n in range(5):
        _fail(user.email, 1, address=f"198.51.100.{n + 1}")
    client, response = _sign_in(user.email, address="198.51.100.99")
    assert response.status_code == 429 and not _signed_in(client)


def test_an_address_trying_many_accounts_is_locked(site, settings):
    stuffer = "198.51.100.7"
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    assert limit == 30, "the shipped default"
    victims = [UserFactory() for _ in range(limit // 2)]
    attacker = UserFactory()
    for victim in victims[:-1]:
        _fail(victim.email, 2, address=stuffer)
    # Signing in to one's own account forgives that account only, never the address.
    client, response = _sign_in(attacker.email, address=stuffer)
    assert _signed_in(client)
    _fail(victims[-1].email, 2, address=stuffer)
    bystander = UserFactory()
    client, response = _sign_in(bystander.email, address=stuffer)
    assert response.status_code == 429 and not _signed_in(client), "the address is locked"
    client, response = _sign_in(bystander.email, address="203.0.113.8")
    assert _signed_in(client), "the account itself is not"
    client, response = _sign_in(victims[0].email, address="203.0.113.8")
    assert _signed_in(client), "2 failures do not lock an account"


def test_a_password_reset_by_email_lifts_the_accounts_lockout(site, client, mailoutbox):
    user = UserFactory(email="forgetful@example.mn")
    _fail(user.email, 5)
    client.post("/en/accounts/password/reset/", {"email": user.email})
    link = re.search(r"http://testserver(/en/accounts/password/reset/key/\S+/)", mailoutbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"password1": "Shine-nuuts-2026", "password2": "Shine-nuuts-2026"})
    assert response.status_code == 302
    client, response = _sign_in(user.email, password="Shine-nuuts-2026")
    assert _signed_in(client)


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(rf, settings):
    from lms.accounts.lockout import client_address

    spoofed = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.0.0.1, 203.0.113.9"}
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(rf.post("/", **spoofed)) == "127.0.0.1", "no proxy: the header is ignored"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(rf.post("/", **spoofed)) == "203.0.113.9", "never the part the visitor wrote"
    assert client_address(rf.post("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
    assert client_address(rf.post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="junk")) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(rf.post("/", **spoofed)) == "10.0.0.1"


def test_behind_a_proxy_a_visitor_cannot_escape_the_lockout_with_a_forged_header(site, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    client = Client(REMOTE_ADDR="127.0.0.1")
    for n in range(5):
        client.post(
            SIGN_IN,
            {"login": user.email, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.9",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    colleague = UserFactory()
    response = Client(REMOTE_ADDR="127.0.0.1").post(
        SIGN_IN, {"login": colleague.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.10"
    )
    assert response.status_code == 302, "another visitor behind the same proxy is not locked"


# --- no account enumeration ---------------------------------------------------------------------------


class CountingHasher(MD5PasswordHasher):
    """Counts password hashes, so two answers can be shown to do the same expensive work."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


def _visible(response, typed: str) -> str:
    """A page's text without what differs on every request (CSRF tokens) and with the address the
    person typed (which the page may repeat back to them) replaced by a placeholder."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return text.replace(typed.lower(), "ADDRESS")


def _first_difference(one: str, other: str) -> str:
    at = next(
        (n for n, (a, b) in enumerate(zip(one, other, strict=False)) if a != b), min(len(one), len(other))
    )
    return f"{one[at - 200 : at + 200]!r}\n---\n{other[at - 200 : at + 200]!r}"


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(site, mailoutbox):
    UserFactory(email="known@example.mn")
    answers = []
    for email in ("known@example.mn", "nobody@example.mn"):
        client = Client()
        response = client.post("/en/accounts/password/reset/", {"email": email})
        page = client.get(response["Location"])
        answers.append((response.status_code, response["Location"], page.status_code, _visible(page, email)))
    assert answers[0] == answers[1]
    assert [message.to for message in mailoutbox] == [["known@example.mn"], ["nobody@example.mn"]]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
    assert "/accounts/password/reset/key/" not in mailoutbox[1].body
    assert "/accounts/signup/" in mailoutbox[1].body, "the stranger is told they have no account"


def test_sign_up_answers_the_same_for_a_new_and_a_taken_address(site, settings, mailoutbox):
    from tests.accounts.test_accounts import _signup_data

    settings.PASSWORD_HASHERS = ["tests.accounts.test_sign_in_entries.CountingHasher"]
    owner = UserFactory(email="bolormaa@example.mn")
    answers, hashes = [], []
    for email in ("BOLORMAA@example.mn", "newcomer@example.mn"):
        client = Client()
        CountingHasher.calls = 0
        response = client.post("/en/accounts/signup/", _signup_data(email=email))
        hashes.append(CountingHasher.calls)
        page = client.get(response["Location"])
        answers.append((response.status_code, response["Location"], page.status_code, _visible(page, email)))
    assert answers[0][:3] == answers[1][:3]
    assert answers[0][3] == answers[1][3], _first_difference(answers[0][3], answers[1][3])
    assert hashes[0] == hashes[1] >= 1, "the taken address costs the same password hashing"
    assert User.objects.filter(email__iexact="bolormaa@example.mn").get() == owner
    assert User.objects.filter(email="newcomer@example.mn").exists()
    assert [message.to for message in mailoutbox] == [["bolormaa@example.mn"], ["newcomer@example.mn"]]
    assert "/accounts/password/reset/" in mailoutbox[0].body, "the owner is told how to get back in"
    assert "/accounts/confirm-email/" not in mailoutbox[0].body


def test_the_owner_of_a_taken_address_is_told_in_mongolian(site, mailoutbox):
    from tests.accounts.test_accounts import _signup_data

    UserFactory(email="bolormaa@example.mn")
    response = Client().post("/accounts/signup/", _signup_data())
    assert response.status_code == 302
    message = mailoutbox[0]
    assert "Бүртгэл аль хэдийн байна" in message.subject
    assert "/accounts/password/reset/" in message.body and "/en/" not in message.body


# --- nothing else signs anyone in ---------------------------------------------------------------------

# Views that may sign a person in: allauth's own (its flow applies verified email, two-factor and
# the lockout) and this project's thin subclasses of them.
ALLOWED_MODULE_PREFIXES = ("allauth.",)
ALLOWED_VIEWS = {"lms.accounts.views.LoginView", "lms.accounts.views.SignupView"}
SIGN_IN_CALLS = {"login", "auth_login", "django_login", "authenticate", "aauthenticate", "alogin"}


def _patterns(resolver=None, chain=()):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, chain + (pattern,))
        else:
            yield chain + (pattern,)


def _sample_urls(chain):
    """Concrete paths that match a pattern chain (converters and regex groups filled in)."""
    fmt, params = "", []
    for level in chain:
        level_fmt, level_params = normalize(level.pattern.regex.pattern)[0]
        fmt += level_fmt
        params += level_params
    samples = ["1", "x", str(uuid.UUID(int=1)), "a-1", "x/"]
    for combo in itertools.product(samples, repeat=len(params)):
        yield "/" + fmt % dict(zip(params, combo, strict=True))


def _reachable_urls() -> dict[str, object]:
    """One URL for every pattern the project registers, in both languages, with the view that
    really answers there (an earlier pattern may shadow a later one)."""
    urls, unreachable = {}, []
    for language in ("mn", "en"):
        with translation.override(language):
            for chain in _patterns():
                for url in _sample_urls(chain):
                    try:
                        urls[url] = resolve(url).func
                    except Resolver404:
                        continue
                    break
                else:
                    unreachable.append("".join(str(level.pattern) for level in chain))
    assert unreachable == [], f"no sample URL found for {unreachable}: teach _sample_urls"
    return urls


def _view_name(callback) -> str:
    view = getattr(callback, "view_class", None) or callback
    return f"{view.__module__}.{view.__qualname__}"


@cache
def _calls_sign_in(function) -> bool:
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return False
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in SIGN_IN_CALLS:
                return True
    return False


def _signs_in(callback) -> bool:
    """Whether a view's own code (its function, or its class and parents) calls login/authenticate,
    or it is built on Django's login view or authentication form."""
    from django.contrib.auth.forms import AuthenticationForm
    from django.contrib.auth.views import LoginView as DjangoLoginView

    view_class = getattr(callback, "view_class", None)
    if view_class is None:
        function = inspect.unwrap(callback)
        return _calls_sign_in(function)
    if issubclass(view_class, DjangoLoginView):
        return True
    form_class = getattr(view_class, "form_class", None)
    if isinstance(form_class, type) and issubclass(form_class, AuthenticationForm):
        return True
    return any(
        _calls_sign_in(klass)
        for klass in view_class.__mro__
        if klass.__module__.split(".")[0] not in ("builtins", "django")
        or klass.__module__.startswith("django.contrib.auth")
    )


def test_no_registered_view_signs_in_except_through_allauth():
    """Every view served at a URL the project registers (a view shadowed by an earlier pattern,
    like Wagtail's own login form, is not served) is checked."""
    offenders = set()
    for callback in _reachable_urls().values():
        name = _view_name(callback)
        if name.startswith(ALLOWED_MODULE_PREFIXES) or name in ALLOWED_VIEWS:
            continue
        if _signs_in(callback):
            offenders.add(name)
    assert offenders == set(), f"these views sign people in outside allauth: {sorted(offenders)}"


def test_the_static_check_would_catch_a_django_login_view():
    from django.contrib.auth.views import LoginView as DjangoLoginView

    def handmade(request):
        from django.contrib.auth import login

        login(request, request.user)

    assert _signs_in(DjangoLoginView.as_view())
    assert _signs_in(handmade)
    assert not _signs_in(_view_callback("/en/accounts/profile/"))


def _view_callback(url):
    return resolve(url).func


def test_posting_credentials_to_every_url_signs_nobody_in_outside_the_sign_in_page(site):
    """Post a learner's right email and password, under every field name a login form uses, to
    one URL of every registered pattern: only allauth's sign-in page may sign them in, and an
    account with two-factor sign-in is signed in nowhere."""
    learner = UserFactory(email="walker@example.mn")
    editor, _ = _staff()
    signed_in_at: list[tuple[str, str]] = []

    def record(sender, request, user, **kwargs):
        signed_in_at.append((request.path, user.email))

    user_logged_in.connect(record, dispatch_uid="test.walk.record")
    try:
        urls = sorted(_reachable_urls())
        assert len(urls) > 300, "the walk reaches the whole URL configuration"
        for user in (learner, editor):
            data = {
                "login": user.email,
                "username": user.email,
                "email": user.email,
                "password": PASSWORD,
                "next": "/",
            }
            for url in urls:
                client = Client(raise_request_exception=False)
                client.post(url, data)
                client.get(url, data)
                if _signed_in(client):
                    signed_in_at.append((url, f"session of {user.email}"))
                AccessAttempt.objects.all().delete()  # the walk's own failures must not lock it out
    finally:
        user_logged_in.disconnect(dispatch_uid="test.walk.record")
    allowed = {"/accounts/login/", "/en/accounts/login/"}
    assert {path for path, who in signed_in_at if who == learner.email} <= allowed
    assert {path for path, _ in signed_in_at if path in allowed} == allowed, "the walk did sign in there"
    outside = [(path, who) for path, who in signed_in_at if path not in allowed]
    assert outside == []
    assert not [who for _, who in signed_in_at if editor.email in who], "two-factor accounts: nowhere"
