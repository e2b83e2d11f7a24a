"""The admin staff use, in Mongolian: every interface string it looks up has a Mongolian translation.

While the pages render, a recorder wraps Django's translation object (``DjangoTranslation.gettext``
and ``ngettext``; ``pgettext`` and ``npgettext`` go through them with ``context\\x04msgid``) and
notes every lookup in Mongolian that came back untranslated. Wagtail's and Django's own strings
count too: the project catalogue (LOCALE_PATHS, searched first) supplies what their catalogues lack.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.translation import trans_real

from lms.accounts import roles
from tests.factories import UserFactory, with_two_factor

pytestmark = pytest.mark.django_db

CONTEXT_SEPARATOR = "\x04"
# Names and formats that stay as they are in Mongolian.
KEPT_AS_THEY_ARE = {"CPC Learn", "H5P", "xAPI", "CSV", "XLSX", "Wagtail", "ID", "URL", "TOTP", "PDF"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def _is_a_word(msgid: str) -> bool:
    """False for msgids with nothing to translate: empty, format-only, one character, numbers, names."""
    text = msgid.split(CONTEXT_SEPARATOR)[-1].strip()
    if text in KEPT_AS_THEY_ARE:
        return False
    letters = re.sub(r"[^\w]|\d|_", "", PLACEHOLDER.sub("", text))
    return len(letters) > 1


class Recorder:
    """Untranslated msgids looked up while Mongolian is active, with the page that asked."""

    def __init__(self):
        self.missing: dict[str, str] = {}
        self.plurals: dict[str, str] = {}
        self.page = ""

    def note(self, translation, msgid: str, found: bool, plural: str | None = None):
        if not found and translation.language().startswith("mn") and _is_a_word(msgid):
            key = msgid.replace(CONTEXT_SEPARATOR, " | ")
            self.missing.setdefault(key, self.page)
            if plural is not None:
                self.plurals[key] = plural

    def report(self) -> str:
        lines = [f"{msgid!r}  ({page})" for msgid, page in sorted(self.missing.items())]
        return f"{len(lines)} untranslated strings:\n" + "\n".join(lines)


@pytest.fixture
def recorder(monkeypatch):
    record = Recorder()
    original_gettext = trans_real.DjangoTranslation.gettext
    original_ngettext = trans_real.DjangoTranslation.ngettext

    def gettext(self, message):
        result = original_gettext(self, message)
        record.note(self, message, result != message)
        return result

    def ngettext(self, singular, plural, n):
        result = original_ngettext(self, singular, plural, n)
        record.note(self, singular, result not in (singular, plural), plural)
        return result

    monkeypatch.setattr(trans_real.DjangoTranslation, "gettext", gettext)
    monkeypatch.setattr(trans_real.DjangoTranslation, "ngettext", ngettext)
    return record


def test_the_recorder_catches_an_untranslated_string(recorder):
    from django.template import Context, Template
    from django.utils import translation

    template = Template(
        '{% load i18n %}{% translate "A zebra crossing nobody translated" %}|'
        '{% translate "Save" context "verb" %}|{% translate "Question bank" %}'
    )
    with translation.override("mn"):
        rendered = template.render(Context())
    assert "A zebra crossing nobody translated" in recorder.missing
    assert "Question bank" not in rendered  # the project's own string is translated...
    assert "Question bank" not in recorder.missing  # ...and not reported
    with translation.override("en"):
        Template('{% load i18n %}{% translate "English is never reported" %}').render(Context())
    assert "English is never reported" not in recorder.missing


def _staff(group_name: str, *, superuser: bool = False, **fields):
    """A signed-in client for a member of a role group, two-factor set up, admin in Mongolian."""
    from django.contrib.auth.models import Group
    from django.test import Client
    from wagtail.users.models import UserProfile

    user = UserFactory(is_superuser=superuser, is_staff=superuser, **fields)
    user.groups.add(Group.objects.get(name=group_name))
    with_two_factor(user)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "mn"
    profile.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="mn")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def content(site):
    from assessments.models import H5PActivity
    from certificates.models import CertificateTemplate
    from tests.assessments import helpers
    from tests.factories import build_course

    course = build_course(lessons=2)
    question = helpers.question(text="Хүүхдийг хэн хамгаалах вэ?")
    quiz = helpers.quiz([question])
    template = CertificateTemplate.objects.create(name="Үндсэн", is_default=True)
    return {
        "course": course,
        "question": question,
        "quiz": quiz,
        "template": template,
        "h5p_count": H5PActivity.objects.count(),
    }


def _pages(content, clients):
    """(client, url) for the admin pages staff use, each seen by the role that uses it."""
    from django.contrib.auth.models import Group

    course = content["course"]
    lesson = course.lessons["mn"][0]
    admin, editor, reviewer, manager = (clients[name] for name in ("admin", "editor", "reviewer", "manager"))
    reviewers = Group.objects.get(name=roles.REVIEWERS)
    return [
        (editor, "/admin/"),
        (reviewer, "/admin/"),
        (manager, "/admin/"),
        (admin, "/admin/"),
        (editor, f"/admin/pages/{course.mn.get_parent().pk}/"),
        (editor, f"/admin/pages/{course.mn.pk}/"),
        (editor, f"/admin/pages/{lesson.pk}/edit/"),
        (editor, f"/admin/pages/{course.mn.pk}/edit/"),
        (editor, "/admin/snippets/courses/courserelease/"),
        (editor, f"/admin/releases/{course.release.pk}/"),
        (reviewer, "/admin/snippets/courses/courserelease/"),
        (admin, reverse("wagtailadmin_workflows:index")),
        (admin, reverse("wagtailadmin_workflows:task_index")),
        (editor, "/admin/snippets/assessments/quiz/"),
        (editor, f"/admin/snippets/assessments/quiz/edit/{content['quiz'].pk}/"),
        (editor, "/admin/snippets/assessments/question/"),
        (editor, f"/admin/snippets/assessments/question/edit/{content['question'].pk}/"),
        (editor, "/admin/snippets/assessments/h5pactivity/"),
        (editor, "/admin/snippets/assessments/h5pactivity/add/"),  # the H5P import
        (editor, "/admin/snippets/certificates/certificatetemplate/"),
        (editor, f"/admin/snippets/certificates/certificatetemplate/edit/{content['template'].pk}/"),
        (manager, "/admin/programme-reports/"),
        (manager, "/admin/programme-reports/roster/"),
        (admin, reverse("wagtailusers_users:index")),
        (admin, reverse("wagtailusers_users:edit", args=[editor.user.pk])),
        (admin, reverse("wagtailusers_groups:index")),
        (admin, reverse("wagtailusers_groups:edit", args=[reviewers.pk])),
        (admin, reverse("audit_log:index")),
        (editor, reverse("wagtailadmin_account")),
        (editor, "/accounts/2fa/"),
        (editor, "/accounts/password/change/"),
        (None, "/accounts/signup/"),
    ]


def test_the_admin_staff_use_is_all_in_mongolian(content, recorder):
    from django.test import Client

    clients = {
        "admin": _staff(roles.ADMINISTRATORS, superuser=True),
        "editor": _staff(roles.EDITORS),
        "reviewer": _staff(roles.REVIEWERS),
        "manager": _staff(roles.MANAGERS),
    }
    for client, url in _pages(content, clients):
        client = client or Client(HTTP_ACCEPT_LANGUAGE="mn")
        recorder.page = url
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get("Location"))
        assert 'lang="mn"' in response.content.decode(), url
    assert recorder.missing == {}, recorder.report()


@pytest.mark.parametrize(
    ("password", "rules"),
    [
        ("12345", ["password_too_short", "password_entirely_numeric", "password_too_common"]),
        ("bolormaa-tumur", ["password_too_similar"]),
    ],
)
def test_password_rules_are_explained_and_enforced_in_mongolian(site, recorder, password, rules):
    """Sign-up and password change in Mongolian: the rules under the field, and the errors a weak
    password gets (every one of Django's four validators)."""
    from django.contrib.auth import password_validation
    from django.core.exceptions import ValidationError
    from django.test import Client
    from django.utils import translation

    from lms.accounts.models import Region, User

    person = User(email="bolormaa-tumur@example.mn", full_name="Bolormaa Tumur")
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password(password, person)
    assert sorted(error.code for error in refused.value.error_list) == sorted(rules)

    client = Client(HTTP_ACCEPT_LANGUAGE="mn")
    recorder.page = "/accounts/signup/ (refused password)"
    data = {
        "full_name": "Bolormaa Tumur",
        "email": "bolormaa-tumur@example.org",
        "password1": password,
        "password2": password,
        "role": "youth_facilitator",
        "region": Region.objects.get(code="chingeltei").pk,
        "organisation": "",
        "sex": "female",
        "birth_year": "1992",
    }
    response = client.post("/accounts/signup/", data)
    assert response.status_code in (200, 400)
    assert not User.objects.filter(email=data["email"]).exists()

    recorder.page = "/accounts/password/change/ (refused password)"
    member = _staff(roles.EDITORS, email="bolormaa-tumur@example.mn")
    response = member.post(
        "/accounts/password/change/",
        {"oldpassword": "a-Strong-pass-42", "password1": password, "password2": password},
    )
    assert response.status_code in (200, 400)
    page = response.content.decode()
    with translation.override("en"):
        english = [str(text) for text in password_validation.password_validators_help_texts()]
    assert not [text for text in english if text.replace("’", "&#x27;") in page or text in page]
    assert recorder.missing == {}, recorder.report()


def test_role_groups_are_shown_in_the_admins_language_and_wagtails_defaults_are_gone(site):
    """Group names stay English identifiers; the group list, the user form and invitations show
    the role's label. Wagtail's own Moderators and Editors groups are removed (accounts 0004), and
    its default approval task asks the curriculum reviewers instead."""
    from django.contrib.auth.models import Group
    from wagtail.models import GroupApprovalTask

    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLE_PERMISSIONS)
    assert not Group.objects.filter(name__in=roles.WAGTAIL_DEFAULT_GROUPS).exists()
    for task in GroupApprovalTask.objects.all():
        assert task.groups.exists(), task.name
        assert not task.groups.filter(name__in=roles.WAGTAIL_DEFAULT_GROUPS).exists()
    assert GroupApprovalTask.objects.filter(groups__name=roles.REVIEWERS).exists()

    admin = _staff(roles.ADMINISTRATORS, superuser=True)
    editor = _staff(roles.EDITORS)
    groups_page = admin.get(reverse("wagtailusers_groups:index")).content.decode()
    user_form = admin.get(reverse("wagtailusers_users:edit", args=[editor.user.pk])).content.decode()
    group_page = admin.get(
        reverse("wagtailusers_groups:edit", args=[Group.objects.get(name=roles.REVIEWERS).pk])
    ).content.decode()
    invitation_form = admin.get(reverse("invitations:add")).content.decode()
    for name in roles.ROLE_PERMISSIONS:
        assert name not in groups_page and name not in user_form, name
    for label in ("Сургалтын агуулга засварлагчид", "Сургалтын агуулга хянагчид", "Администраторууд"):
        assert label in groups_page and label in user_form, label
    assert "Сургалтын агуулга хянагчид" in group_page
    assert "Moderators" not in groups_page and "Editors" not in groups_page
    assert "Хууль хяналтын салбарын суралцагчид" in invitation_form

    english = _staff(roles.ADMINISTRATORS, superuser=True)
    english.user.wagtail_userprofile.preferred_language = "en"
    english.user.wagtail_userprofile.save()
    assert "Curriculum reviewers" in english.get(reverse("wagtailusers_groups:index")).content.decode()
