"""Accounts made by staff in the admin can sign in, the admin is told so, and every group change in
the user form is in the audit log (issue 16)."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import Client

from lms.accounts import roles
from lms.accounts.models import AuditEvent, Region, User
from tests.factories import staff_client

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase 42"


def _form(**extra):
    data = {
        "email": "officer@example.mn",
        "full_name": "Бат Болд",
        "role": User.Role.POLICE if hasattr(User.Role, "POLICE") else User.Role.TEACHER,
        "region": Region.objects.get(code="bayanzurkh").pk,
        "organisation": "",
        "sex": "not_stated",
        "birth_year": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "is_active": "on",
    }
    data.update(extra)
    return data


def test_a_user_created_in_the_admin_can_sign_in_and_the_group_grant_is_audited(site):
    admin = staff_client(roles.ADMINISTRATORS)
    justice = Group.objects.get(name=roles.JUSTICE_LEARNERS)
    response = admin.post("/admin/users/new/", _form(groups=[justice.pk]))
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(email="officer@example.mn")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("can sign in now" in m for m in messages), messages

    signed_in = Client().post("/en/accounts/login/", {"login": "officer@example.mn", "password": PASSWORD})
    assert signed_in.status_code == 302 and "confirm-email" not in signed_in["Location"]

    granted = AuditEvent.objects.get(action="group.granted", subject=user)
    assert granted.actor == admin.user and granted.details["group"] == roles.JUSTICE_LEARNERS
    assert AuditEvent.objects.filter(action="email.confirmed_by_staff", subject=user).exists()

    # taking the group away in the same form is audited too
    edit = _form(groups=[], password1="", password2="")
    response = admin.post(f"/admin/users/edit/{user.pk}/", edit)
    assert response.status_code == 302, response.context["form"].errors
    assert not user.groups.exists()
    removed = AuditEvent.objects.get(action="group.removed", subject=user)
    assert removed.actor == admin.user and removed.details["group"] == roles.JUSTICE_LEARNERS
