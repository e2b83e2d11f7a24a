"""Mongolian and English everywhere a person reads text: the interface catalogue is complete."""

import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "lms" / "locale" / "mn" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


def po_entries(path: Path = LOCALE / "django.po"):
    """(msgid, msgid_plural, [msgstr...], fuzzy) for every entry of a .po file (the Mongolian
    interface catalogue unless told)."""
    entries, current, field, fuzzy, context = [], None, None, False, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgctxt "):
            context = _unquote(line[8:])
        elif line.startswith("msgid "):
            if current:
                entries.append(current)
            current = {"id": "", "plural": None, "str": {}, "fuzzy": fuzzy, "context": context}
            fuzzy, field, context = False, ("id", None), None
            current["id"] = _unquote(line[6:])
        elif line.startswith("msgid_plural ") and current:
            field = ("plural", None)
            current["plural"] = _unquote(line[13:])
        elif line.startswith("msgstr") and current:
            index = int(line[7]) if line.startswith("msgstr[") else 0
            field = ("str", index)
            current["str"][index] = _unquote(line.split(" ", 1)[1])
        elif line.startswith('"') and current and field:
            name, index = field
            if name == "str":
                current["str"][index] += _unquote(line)
            else:
                current[name] += _unquote(line)
    if current:
        entries.append(current)
    return [entry for entry in entries if entry["id"]]  # the header has an empty msgid


def _unquote(text: str) -> str:
    return text.strip()[1:-1].encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


# The project's catalogues: the interface (django) and the admin's JavaScript (djangojs), with
# how many entries each has at least.
CATALOGUES = pytest.mark.parametrize(("domain", "at_least"), [("django", 150), ("djangojs", 50)])


@CATALOGUES
def test_every_interface_string_has_a_mongolian_translation(domain, at_least):
    entries = po_entries(LOCALE / f"{domain}.po")
    assert len(entries) > at_least
    untranslated = [entry["id"] for entry in entries if not all(entry["str"].values()) or entry["fuzzy"]]
    assert untranslated == []


@CATALOGUES
def test_translations_keep_every_placeholder(domain, at_least):
    for entry in po_entries(LOCALE / f"{domain}.po"):
        source = set(PLACEHOLDER.findall(entry["id"])) | set(PLACEHOLDER.findall(entry["plural"] or ""))
        for text in entry["str"].values():
            assert set(PLACEHOLDER.findall(text)) == source, (entry["id"], text)


@CATALOGUES
def test_compiled_catalogue_matches_the_source(domain, at_least):
    with open(LOCALE / f"{domain}.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in po_entries(LOCALE / f"{domain}.po"):
        if entry["context"] is not None:
            translated = compiled.pgettext(entry["context"], entry["id"])
            assert translated == entry["str"][0], f"{domain}.mo is out of date for {entry['id']!r}"
        elif entry["plural"]:
            assert compiled.ngettext(entry["id"], entry["plural"], 1) == entry["str"][0]
            assert compiled.ngettext(entry["id"], entry["plural"], 2) == entry["str"][1]
        else:
            assert compiled.gettext(entry["id"]) == entry["str"][0], (
                f"{domain}.mo is out of date for {entry['id']!r}: run `manage.py compilemessages`"
            )


@pytest.mark.django_db
def test_pages_speak_the_language_of_their_address(client, site):
    mongolian = client.get("/").content.decode()
    english = client.get("/en/").content.decode()
    assert '<html lang="mn">' in mongolian and '<html lang="en">' in english
    assert "Сургалтууд" in mongolian and "Browse courses" in english
    assert "Skip to main content" not in mongolian, "the interface itself is translated"
