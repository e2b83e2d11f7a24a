"""The glossary: terms found in Mongolian and English text, linked from lessons without needing
JavaScript, listed on their own page, and maintained by curriculum editors in the admin."""

import re
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import reverse

from courses import services as course_services
from glossary.linking import link_terms
from glossary.matching import mentions, stems_pattern
from glossary.models import Term
from glossary.selectors import Entry, glossary_for
from glossary.services import term_upsert
from lms.accounts import roles
from tests.factories import build_course, staff_client

TRAFFICKING = Entry(
    slug="trafficking",
    term="хүн худалдаалах",
    definition="Хүнийг мөлжих зорилгоор элсүүлэх <тодорхойлолт>.",
    stems=("хүн худалдаалах", "хүн худалдаал"),
)
TRUSTED = Entry(
    slug="trusted-adult",
    term="trusted adult",
    definition="An adult a child chooses.",
    stems=("trusted adult",),
)


def test_a_stem_finds_every_inflected_form_at_the_start_of_a_word():
    text = "Хүн худалдаалагчид хүүхдийг худалдаалсан; хүн\n   худалдаалах гэмт хэрэг. Ахүн худалдаалах биш."
    assert mentions(text, ["хүн худалдаал"]) == ["Хүн худалдаалагчид", "хүн\n   худалдаалах"]
    assert mentions("Trusted adults help. Untrusted adults do not.", ["trusted adult"]) == ["Trusted adults"]
    assert stems_pattern(["", "  "]) is None


def test_the_longest_term_wins():
    found = mentions("хүүхэд хамгааллын ажилтанд хэл", ["хүүхэд хамгааллын", "хүүхэд хамгааллын ажилтан"])
    assert found == ["хүүхэд хамгааллын ажилтанд"]


def test_only_the_first_mention_of_a_term_is_linked_and_headings_and_links_are_left_alone():
    html = (
        "<h3>Хүн худалдаалах гэж юу вэ</h3>"
        '<p>Зуучлагч <a href="/x">хүн худалдаалагч</a> байж болно. Хүн худалдаалах гэмт хэрэг. '
        "Дахин хүн худалдаалах.</p><p>Talk to a trusted adult.</p>"
    )
    linked, used = link_terms(html, [TRAFFICKING, TRUSTED], index_url="/glossary/", more="Бүх нэр томьёо")
    assert [entry.slug for entry in used] == ["trafficking", "trusted-adult"]
    assert linked.count('popovertarget="gl-trafficking"') == 1
    assert "<h3>Хүн худалдаалах гэж юу вэ</h3>" in linked, "headings stay as they are"
    assert '<a href="/x">хүн худалдаалагч</a>' in linked, "existing links stay as they are"
    assert (
        '<button type="button" class="glossary-term" popovertarget="gl-trafficking">Хүн худалдаалах</button>'
        in linked
    )
    assert 'id="gl-trafficking" popover' in linked
    assert "&lt;тодорхойлолт&gt;" in linked, "definitions are escaped"
    assert 'href="/glossary/#trafficking"' in linked
    assert linked.endswith(
        'Дахин хүн худалдаалах.</p><p>Talk to a <button type="button" class="glossary-term" popovertarget="gl-trusted-adult">trusted adult</button>'
        '<span class="glossary-pop" id="gl-trusted-adult" popover role="note"><strong class="glossary-pop-term">trusted adult</strong> '
        '<span class="glossary-pop-text">An adult a child chooses.</span> '
        '<a class="glossary-pop-more" href="/glossary/#trusted-adult">Бүх нэр томьёо</a></span>.</p>'
    )


@pytest.fixture
def terms(db):
    cache.clear()
    Term.objects.create(
        slug="trusted-adult",
        term_mn="итгэж болох насанд хүрэгч",
        term_en="trusted adult",
        definition_mn="Хүүхдийн сонгосон, сонсож, арга хэмжээ авах насанд хүрэгч.",
        definition_en="An adult a child chooses to tell about a worry, who will act.",
        variants_mn="итгэдэг насанд хүрэгч",
    )
    Term.objects.create(
        slug="grooming",
        term_mn="уруу татах",
        term_en="grooming",
        definition_mn="Хүүхдийг хожим мөлжихийн тулд итгэлийг нь олох.",
        definition_en="Building a child's trust in order to exploit them later.",
        forms_mn="уруу тат",
    )


def _course_with_text(text_mn: str, text_en: str):
    built = build_course(lessons=1, publish=False)
    for lang, text in (("mn", text_mn), ("en", text_en)):
        lesson = built.lessons[lang][0]
        lesson.body = [{"type": "text", "value": f"<p>{text}</p>"}]
        lesson.save_revision().publish()
    course_services.release_publish(course=built.pages["mn"], version="1.0")
    return built


def test_a_lesson_shows_each_term_with_its_definition_in_the_page_itself(site, terms, learner_client):
    built = _course_with_text(
        "Итгэж болох насанд хүрэгчдээ хэл. Уруу татагчид бэлэг өгдөг.", "Tell a trusted adult about grooming."
    )
    for lang, prefix in (("mn", ""), ("en", "/en")):
        html = unescape(learner_client.get(built.lessons[lang][0].url).content.decode())
        assert html.count('class="glossary-term"') == 2, lang
        # Readable without JavaScript: the definition is in the HTML, in a native popover, and
        # listed again after the lesson.
        definition = Term.objects.get(slug="trusted-adult").definition(lang)
        assert html.count(definition) == 2
        assert 'popover role="note"' in html
        assert '<aside class="glossary-used"' in html
        assert "glossary/glossary.css" in html
        assert f'href="{prefix}/glossary/#grooming"' in html
        assert "<script" not in re.search(r'<div class="prose">.*?</div>\s*</article>', html, re.S).group(0)


def test_an_editors_change_reaches_lessons_at_once(site, terms, client):
    built = _course_with_text("Уруу татах.", "Grooming.")
    url = built.lessons["en"][0].url
    assert "Building a child's trust" in unescape(client.get(url).content.decode())
    term = Term.objects.get(slug="grooming")
    term.definition_en = "A new definition written by an editor."
    term.save()
    assert "A new definition written by an editor." in client.get(url).content.decode()


def test_the_glossary_page_lists_every_term_in_the_readers_language(site, terms, client):
    mn = unescape(client.get("/glossary/").content.decode())
    en = unescape(client.get("/en/glossary/").content.decode())
    assert 'id="trusted-adult"' in mn and "итгэж болох насанд хүрэгч" in mn and "trusted adult" not in mn
    assert "trusted adult" in en and "Building a child's trust in order to exploit them later." in en
    assert mn.index('id="trusted-adult"') < mn.index('id="grooming"'), (
        "alphabetical in Mongolian (и before у)"
    )
    assert en.index('id="grooming"') < en.index('id="trusted-adult"'), "alphabetical in English"


def test_the_glossary_is_read_once_then_from_the_cache(site, terms, django_assert_num_queries):
    cache.clear()
    with django_assert_num_queries(1):
        glossary_for("mn")
    with django_assert_num_queries(0):
        assert [entry.slug for entry in glossary_for("mn")] == ["trusted-adult", "grooming"]


def test_curriculum_editors_maintain_terms_in_the_admin(site, terms):
    from lms.accounts.roles import roles_ensure

    roles_ensure()
    editor = staff_client(roles.EDITORS)
    listing = editor.get(reverse("wagtailsnippets_glossary_term:list"))
    assert listing.status_code == 200 and "trusted adult" in listing.content.decode()
    term = Term.objects.get(slug="grooming")
    edit_url = reverse("wagtailsnippets_glossary_term:edit", args=[term.pk])
    data = {
        "slug": "grooming",
        "term_mn": "уруу татах",
        "term_en": "grooming",
        "definition_mn": "Засварласан тодорхойлолт.",
        "definition_en": "Edited by an editor.",
        "forms_mn": "уруу тат",
        "forms_en": "",
        "variants_mn": "груминг",
        "variants_en": "",
    }
    response = editor.post(edit_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    term.refresh_from_db()
    assert term.definition_en == "Edited by an editor." and term.variants("mn") == ["груминг"]
    # A reload of the shipped glossary keeps what the editor wrote.
    result = term_upsert(
        slug="grooming", values={"term_mn": "уруу татах", "term_en": "grooming", "definition_en": "x"}
    )
    assert result.kept
    assert Term.objects.get(slug="grooming").definition_en == "Edited by an editor."
    learners = Group.objects.get(name=roles.LEARNERS)
    assert not learners.permissions.filter(codename="change_term").exists()


def test_a_refused_rendering_cannot_also_be_the_term(site, terms):
    from django.core.exceptions import ValidationError

    term = Term.objects.get(slug="grooming")
    term.variants_mn = "уруу татах"
    with pytest.raises(ValidationError) as error:
        term.full_clean()
    assert "variants_mn" in error.value.message_dict
