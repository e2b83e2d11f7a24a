"""No child's personal data in club delivery: every field that can hold text has a written reason,
no field holds a file, and the forms ask for nothing about a child."""

import inspect

import pytest
from django import forms
from django.apps import apps
from django.db import models

from lms.delivery import admin_forms
from lms.delivery import forms as site_forms
from lms.delivery.privacy import FORM_TEXT_FIELDS, TEXT_FIELDS, has_contact_details

# Fields that hold numbers, dates, flags or links to other rows cannot carry a name or a story.
SAFE_FIELD_TYPES = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveIntegerField,
    models.BooleanField,
    models.DateField,
    models.DateTimeField,
    models.UUIDField,
    models.ForeignKey,
    models.OneToOneField,
    models.ManyToManyField,
)
NEVER = (models.FileField, models.ImageField, models.BinaryField)


def unexplained_text_fields(model_classes) -> list[str]:
    """Fields that could hold free text (or a file) without a reason in the registry."""
    found = []
    for model in model_classes:
        for field in model._meta.get_fields():
            if field.auto_created and not field.concrete:
                continue  # reverse relations
            name = f"{model.__name__}.{field.name}"
            if isinstance(field, NEVER):
                found.append(f"{name} (a file: never allowed)")
            elif isinstance(field, SAFE_FIELD_TYPES):
                continue
            elif getattr(field, "choices", None) and isinstance(field, models.CharField):
                continue  # one of a fixed list of values
            elif not TEXT_FIELDS.get(name, "").strip():
                found.append(name)
    return found


def test_every_text_field_of_the_delivery_models_has_a_reason():
    delivery_models = list(apps.get_app_config("delivery").get_models())
    assert len(delivery_models) >= 8
    assert unexplained_text_fields(delivery_models) == []


def test_the_registry_names_only_fields_that_exist():
    for entry in TEXT_FIELDS:
        model_name, field_name = entry.split(".")
        model = apps.get_model("delivery", model_name)
        assert model._meta.get_field(field_name), entry


def test_the_check_catches_a_new_free_text_field():
    """The guard itself: a model that gains a name, a JSON blob or a photo is caught."""

    class Careless(models.Model):
        child_name = models.CharField(max_length=100)
        details = models.JSONField(default=dict)
        photo = models.ImageField()
        sex = models.CharField(max_length=5, choices=[("girl", "girl"), ("boy", "boy")])
        count = models.PositiveSmallIntegerField()

        class Meta:
            app_label = "delivery"
            abstract = True

    assert unexplained_text_fields([Careless]) == [
        "Careless.child_name",
        "Careless.details",
        "Careless.photo (a file: never allowed)",
    ]


def _form_classes():
    for module in (site_forms, admin_forms):
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                yield value


def test_forms_take_typed_text_only_where_the_registry_says_why():
    seen = []
    for form_class in _form_classes():
        form = form_class() if form_class.__name__ not in ("ClubForm",) else form_class(kits=[])
        for name, field in form.fields.items():
            if isinstance(field, forms.CharField):  # EmailField and URLField are CharFields too
                key = f"{form_class.__name__}.{name}"
                seen.append(key)
                assert FORM_TEXT_FIELDS.get(key, "").strip(), f"{key} takes text without a reason"
            assert not isinstance(field, forms.FileField), f"{form_class.__name__}.{name} takes a file"
    assert set(seen) == set(FORM_TEXT_FIELDS), "the registry lists a form field that is gone"


def test_no_form_asks_for_a_childs_details_by_name():
    words = ("child_name", "name", "phone", "photo", "address", "birth")
    for form_class in _form_classes():
        form = form_class(kits=[]) if form_class.__name__ == "ClubForm" else form_class()
        assert not [n for n in form.fields if any(word in n for word in words)], form_class


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("Call Bold on 9911 2233", True),
        ("+976 88-11-22-33", True),
        ("write to saraa@example.mn", True),
        ("We met on 2025-10-12 and on 12.10.2025", False),
        ("25 children came; we practised calling 108 and 102", False),
        ("Sessions 3 and 4 at 10:30", False),
    ],
)
def test_notes_refuse_phone_numbers_and_email_addresses(text, refused):
    assert has_contact_details(text) is refused


def test_a_facilitators_data_export_and_account_deletion(kit, terms, school, trained):
    import datetime as dt

    from django.utils import timezone

    from lms.accounts.services import account_anonymise, personal_data_export
    from lms.delivery.models import SessionLog

    from . import data

    club = data.club(kit, trained, school, terms.current)
    data.log(
        club, trained, kit.sessions[0], timezone.localdate() - dt.timedelta(days=1), note="Good energy today."
    )
    exported = personal_data_export(user=trained)["delivery"]
    assert [c["role"] for c in exported["clubs"]] == ["facilitator"]
    assert exported["sessions_logged"][0]["note"] == "Good energy today."
    account_anonymise(user=trained)
    entry = SessionLog.objects.get()
    assert entry.note == "" and entry.attended == 10  # the words go, the counts stay
