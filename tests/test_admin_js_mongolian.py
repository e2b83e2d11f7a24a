"""The admin's JavaScript speaks Mongolian: every string Wagtail's scripts ask for is translated.

The admin's scripts (the page editor's minimap and "Collapse all", comments, the rich text
toolbar, the sidebar) read their strings from Django's JavaScript catalogue, which Wagtail serves
at ``wagtailadmin_javascript_catalog`` in the signed-in user's admin language. Wagtail's own mn
``djangojs`` catalogue translates a third of them; the project's ``djangojs.po`` (LOCALE_PATHS,
merged over Wagtail's) gives the rest.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import wagtail.admin
from django.urls import reverse

from lms.accounts import roles
from tests.test_admin_mongolian import _is_a_word, _staff
from tests.test_i18n import po_entries

pytestmark = pytest.mark.django_db

# Every msgid Wagtail's admin scripts use (the English catalogue is their full list).
WAGTAIL_JS = Path(wagtail.admin.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "djangojs.po"
CYRILLIC = re.compile("[А-Яа-яӨөҮүЁё]")


def _catalogue(client) -> dict[str, str | list[str]]:
    """The translations in the admin's JavaScript catalogue, as its script defines them."""
    response = client.get(reverse("wagtailadmin_javascript_catalog"))
    assert response.status_code == 200
    script = response.content.decode()
    marker = "const newcatalog = "
    if marker not in script:  # nothing translated: the script defines no catalogue
        return {}
    catalogue, _end = json.JSONDecoder().raw_decode(script, script.index(marker) + len(marker))
    return catalogue


def _untranslated(entry, catalogue) -> bool:
    found = catalogue.get(entry["id"])
    english = {entry["id"], entry["plural"]}
    forms = found if isinstance(found, list) else [found]
    if entry["plural"] and (not isinstance(found, list) or len(found) != 2):
        return True
    if not all(forms):
        return True
    if not _is_a_word(entry["id"]):  # format only, e.g. "%(time_zone_option)s: %(…)s"
        return False
    return any(form in english or not CYRILLIC.search(form) for form in forms)


def test_every_string_of_the_admins_scripts_is_in_mongolian(site):
    entries = po_entries(WAGTAIL_JS)
    assert len(entries) > 80, "Wagtail's list of script strings was read"
    editor = _staff(roles.EDITORS)
    catalogue = _catalogue(editor)
    untranslated = [entry["id"] for entry in entries if _untranslated(entry, catalogue)]
    assert untranslated == []
    assert catalogue["Collapse all"] == "Бүгдийг хураах"
    assert catalogue["Server Error"] == "Серверийн алдаа"  # upstream misspells it
    assert catalogue["Expand all"] == "Бүгдийг дэлгэх"
    assert catalogue["%(num)s error"] == ["%(num)s алдаа", "%(num)s алдаа"]
    assert catalogue["Add"] == "Нэмэх", "Wagtail's own Mongolian is still used"


def test_the_page_editor_loads_the_catalogue_in_the_editors_language(site):
    from tests.factories import build_course, staff_client

    lesson = build_course(lessons=1).lessons["mn"][0]
    editor = _staff(roles.EDITORS)
    page = editor.get(f"/admin/pages/{lesson.pk}/edit/").content.decode()
    assert f'src="{reverse("wagtailadmin_javascript_catalog")}"' in page
    english = staff_client(roles.EDITORS)  # admin in English: no Mongolian reaches it
    in_english = _catalogue(english)
    assert "Collapse all" not in in_english
    assert not CYRILLIC.search(json.dumps(in_english, ensure_ascii=False))
