"""Accounts: email login, sign-up with the learner profile, email confirmation, the profile page."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError

from lms.accounts.models import Organisation, Region, User
from lms.accounts.services import DEMO_ACCOUNTS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = "/en/accounts/signup/"


def _signup_data(**overrides):
    data = {
        "full_name": "Болормаа Төмөр",
        "email": "Bolormaa@Example.MN",
        "password1": "Tal-nutag-2026",
        "password2": "Tal-nutag-2026",
        "role": "youth_facilitator",
        "region": Region.objects.get(code="chingeltei").pk,
        "organisation": "",
        "sex": "female",
        "birth_year": "1992",
    }
    data.update(overrides)
    return data


def test_all_aimags_and_districts_are_loaded():
    assert Region.objects.filter(kind="aimag").count() == 21
    assert Region.objects.filter(kind="district").count() == 9
    assert Region.objects.get(code="umnugovi").name_mn == "Өмнөговь"


def test_email_is_the_login_and_is_stored_lowercase():
    user = User.objects.create_user(email="Teacher@School.MN", password="x")
    assert user.email == "teacher@school.mn"
    assert User.USERNAME_FIELD == "email"
    assert user.check_password("x")


def test_sign_up_stores_the_profile_and_sends_a_confirmation(client, mailoutbox):
    response = client.post(SIGNUP, _signup_data())
    assert response.status_code == 302
    user = User.objects.get(email="bolormaa@example.mn")
    assert (user.full_name, user.role, user.region.code, user.sex, user.birth_year) == (
        "Болормаа Төмөр",
        "youth_facilitator",
        "chingeltei",
        "female",
        1992,
    )
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1
    link = re.search(r"http://testserver/en/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert EmailAddress.objects.get(user=user).verified


def test_unconfirmed_people_cannot_sign_in(client):
    client.post(SIGNUP, _signup_data())
    client.logout()
    response = client.post(
        "/en/accounts/login/", {"login": "bolormaa@example.mn", "password": "Tal-nutag-2026"}
    )
    assert "/accounts/confirm-email/" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_an_email_already_used_makes_no_second_account(client, mailoutbox):
    # The answer is the same as for a new address (tests/accounts/test_sign_in_entries.py); the
    # owner is emailed instead.
    UserFactory(email="bolormaa@example.mn")
    response = client.post(SIGNUP, _signup_data(email="BOLORMAA@example.mn"))
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="bolormaa@example.mn").count() == 1
    assert [message.to for message in mailoutbox] == [["bolormaa@example.mn"]]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("region", "", "This field is required"),
        ("region", "99999", "Select a valid choice"),
        ("role", "astronaut", "Select a valid choice"),
        ("birth_year", "1850", "greater than or equal to 1930"),
        ("birth_year", "2030", "less than or equal to"),
        ("full_name", " ", "This field is required"),
        ("password2", "different", "same password"),
    ],
)
def test_bad_sign_up_input_answers_400_and_stores_nothing(client, field, value, message):
    response = client.post(SIGNUP, _signup_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_organisation_must_be_in_the_chosen_region(client):
    school = Organisation.objects.create(
        name_mn="Сургууль", kind=Organisation.Kind.SCHOOL, region=Region.objects.get(code="bayangol")
    )
    response = client.post(SIGNUP, _signup_data(organisation=school.pk))
    assert response.status_code == 400
    assert not User.objects.exists()


def test_profile_page_updates_the_learners_details(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get("/en/accounts/profile/")
    assert page.status_code == 200 and user.full_name in page.content.decode()
    school = Organisation.objects.create(
        name_mn="Хан-Уул 5", kind=Organisation.Kind.SCHOOL, region=Region.objects.get(code="khan-uul")
    )
    response = client.post(
        "/en/accounts/profile/",
        {
            "full_name": "Нараа Ганбат",
            "role": "teacher",
            "region": school.region_id,
            "organisation": school.pk,
            "sex": "female",
            "birth_year": "1985",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.organisation, user.region.code) == ("Нараа Ганбат", school, "khan-uul")


def test_bad_profile_input_answers_400_and_keeps_what_was_stored(client):
    user = UserFactory(full_name="Хадгалсан Нэр")
    client.force_login(user)
    response = client.post("/en/accounts/profile/", {"full_name": "Шинэ", "role": "teacher", "region": "abc"})
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.full_name == "Хадгалсан Нэр"


def test_profile_needs_sign_in(client):
    response = client.get("/en/accounts/profile/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_demo_accounts_only_in_demo_mode(settings, site):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("create_demo_accounts")
    assert not User.objects.exists()


def test_demo_accounts_are_created_once_and_can_sign_in(settings, site, client):
    settings.DEMO_MODE = True
    settings.DEMO_PASSWORD = "demo-pass-123"
    call_command("create_demo_accounts")
    emails = {row[0] for row in DEMO_ACCOUNTS}
    assert set(User.objects.values_list("email", flat=True)) == emails
    admin = User.objects.get(email="admin@demo.cpclearn.mn")
    assert admin.is_superuser
    investigator = User.objects.get(email="investigator@demo.cpclearn.mn")
    assert investigator.groups.filter(name="Justice-sector learners").exists()
    User.objects.filter(email="teacher@demo.cpclearn.mn").update(full_name="Changed by the teacher")
    call_command("create_demo_accounts")
    assert User.objects.count() == len(emails)
    assert User.objects.get(email="teacher@demo.cpclearn.mn").full_name == "Changed by the teacher"
    response = client.post(
        "/en/accounts/login/", {"login": "teacher@demo.cpclearn.mn", "password": "demo-pass-123"}
    )
    assert response.status_code == 302 and client.session["_auth_user_id"]
