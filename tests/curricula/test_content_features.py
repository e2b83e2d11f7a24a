"""What issue 17 adds to content files: Sources blocks and the legal-review mark, shared blocks
(one disclosure model, the intimate-image warning, content notes), and one rendering per
glossary term; each refusal has an example, and the loader carries them into the platform."""

from html import unescape
from pathlib import Path

import pytest
import yaml

from curricula.schema import ContentError, read_course
from curricula.schema.glossary import Glossary, GlossaryTerm, read_glossary
from curricula.schema.parse import SHARED_DIR

from .content_helpers import TEXT, module, text, write_course

SOURCE = {
    "instrument": text("UN Convention on the Rights of the Child", "НҮБ-ын Хүүхдийн эрхийн тухай конвенц"),
    "article": text("Art. 12", "12 дугаар зүйл"),
    "year": 1989,
    "link": "https://www.ohchr.org/en/instruments-mechanisms/instruments/convention-rights-child",
}
REVIEW = text("Check the current Criminal Procedure Law.", "Эрүүгийн байцаан шийтгэх хуулийг шалга.")


def _lesson(slug="first", body=None, **extra):
    return {
        "slug": slug,
        "title": text("First", "Нэгдүгээр"),
        "body": body or [{"text": dict(TEXT)}],
        **extra,
    }


def _refused(directory, fragment):
    with pytest.raises(ContentError) as error:
        read_course(directory)
    assert fragment in str(error.value), str(error.value)
    return error.value


# --- sources and legal review ---------------------------------------------------------------------


def test_a_lesson_marked_for_legal_review_needs_a_sources_block(tmp_path):
    flagged = _lesson(legal_review=REVIEW)
    error = _refused(write_course(tmp_path / "c", modules=[module([flagged])]), "needs a 'sources' block")
    assert error.line is not None
    flagged["body"].append({"sources": [SOURCE]})
    spec = read_course(write_course(tmp_path / "d", modules=[module([flagged])]))
    assert spec.lessons[0].legal_review == {"en": REVIEW["en"], "mn": REVIEW["mn"]}
    assert spec.lessons[0].body[-1].value["items"][0]["year"] == 1989


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({**SOURCE, "year": "2000"}, "'year' must be the year of the instrument"),
        ({**SOURCE, "link": "http://example.org"}, "'link' must be an https:// address"),
        ({**SOURCE, "instrument": {"en": "Only English"}}, "missing the mn translation"),
        ({**SOURCE, "page": 3}, "unknown key(s): page"),
    ],
)
def test_a_malformed_source_is_refused(tmp_path, source, message):
    lesson = _lesson(body=[{"text": dict(TEXT)}, {"sources": [source]}])
    _refused(write_course(tmp_path / "c", modules=[module([lesson])]), message)


# --- shared blocks ------------------------------------------------------------------------------------


def test_shared_blocks_are_the_same_words_in_every_kit():
    courses = Path(__file__).resolve().parents[2] / "curricula"
    uses = {}
    for app in ("smart_navigator", "voice_up", "kcso"):
        spec = read_course(courses / app / "content")
        for lesson in spec.lessons:
            shared = [block for block in lesson.body if block.shared == "disclosure-response"]
            if shared:
                uses[app] = [block.value for block in shared]
    assert set(uses) == {"smart_navigator", "voice_up", "kcso"}, "every club kit teaches the one model"
    assert uses["smart_navigator"] == uses["voice_up"] == uses["kcso"]
    steps = uses["kcso"][0]["items"]
    assert steps["en"] == ["Listen", "Reassure", "Do not investigate", "Record", "Report"]


def test_an_unknown_shared_block_is_refused(tmp_path):
    lesson = _lesson(body=[{"shared": "no-such-blocks"}])
    _refused(
        write_course(tmp_path / "c", modules=[module([lesson])]), "no shared blocks named 'no-such-blocks'"
    )


def test_a_module_with_a_content_note_opens_with_it(tmp_path):
    data = module([_lesson("one"), _lesson("two")])
    data["content_note"] = True
    spec = read_course(write_course(tmp_path / "c", modules=[data]))
    first, second = spec.lessons
    assert first.body[0].shared == "content-note" and first.body[0].value["kind"] == "safeguarding"
    assert all(block.shared is None for block in second.body)


def test_advice_to_capture_evidence_needs_the_intimate_image_warning(tmp_path):
    advice = {
        "text": text(
            "Help the child take screenshots of the messages.", "Мессежийн дэлгэцийн зургийг авахад туслах."
        )
    }
    error = _refused(
        write_course(tmp_path / "c", modules=[module([_lesson(body=[advice])])]),
        "advises capturing evidence (“take screenshots”)",
    )
    assert error.path.endswith("01.yaml")
    warned = _lesson(body=[advice, {"shared": "intimate-image-warning"}])
    spec = read_course(write_course(tmp_path / "d", modules=[module([warned])]))
    assert "intimate" in spec.lessons[0].body[1].value["title"]["en"]
    assert (SHARED_DIR / "intimate-image-warning.yaml").is_file()


# --- one rendering per glossary term ------------------------------------------------------------------


def test_a_refused_rendering_of_a_glossary_term_is_refused_with_its_line(tmp_path):
    lesson = _lesson(body=[{"text": text("Tell a trusted adult.", "Итгэдэг насанд хүрэгчдээ хэл.")}])
    error = _refused(write_course(tmp_path / "c", modules=[module([lesson])]), "“Итгэдэг насанд хүрэгчдээ”")
    assert "write “итгэж болох насанд хүрэгч”" in str(error) and "'trusted-adult'" in str(error)
    assert error.path.endswith("01.yaml") and error.line is not None


def test_refused_renderings_are_found_in_quiz_questions_too(tmp_path):
    quiz = {
        "title": text("Quiz", "Сорил"),
        "questions": [
            {
                "type": "true_false",
                "text": text("Leading questions are fine.", "Чиглүүлсэн асуулт асууж болно."),
                "answer": False,
            },
            {"type": "true_false", "text": text("Listen first.", "Эхлээд сонс."), "answer": True},
        ],
    }
    _refused(write_course(tmp_path / "c", modules=[module(quiz=quiz)]), "write “хөтлөх асуулт”")


def test_a_glossary_given_by_the_loader_adds_the_editors_renderings(tmp_path):
    editors = Glossary(
        terms=[
            GlossaryTerm(
                slug="session",
                term={"en": "club session", "mn": "клубын уулзалт"},
                definition=dict(TEXT),
                variants={"en": [], "mn": ["клубын цаг"]},
            )
        ]
    )
    lesson = _lesson(body=[{"text": text("A club session.", "Клубын цагийн үеэр.")}])
    directory = write_course(tmp_path / "c", modules=[module([lesson])])
    read_course(directory)  # the shipped glossary knows no such variant
    with pytest.raises(ContentError, match="write “клубын уулзалт”"):
        read_course(directory, glossary=editors)


def test_the_glossary_file_may_not_refuse_another_terms_rendering(tmp_path):
    path = tmp_path / "glossary.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "terms": [
                    {
                        "slug": "a",
                        "term": text("trusted adult", "итгэж болох насанд хүрэгч"),
                        "definition": TEXT,
                    },
                    {
                        "slug": "b",
                        "term": text("adult", "насанд хүрэгч"),
                        "definition": TEXT,
                        "variants": {"mn": ["итгэж болох насанд хүрэгч"]},
                    },
                ]
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    with pytest.raises(ContentError, match="is the term 'a' but also a rendering refused for 'b'"):
        read_glossary(path)


def test_the_shipped_glossary_reads_and_every_term_has_both_languages():
    glossary = read_glossary()
    assert len(glossary.terms) >= 30
    slugs = {term.slug for term in glossary.terms}
    assert {
        "trafficking",
        "trusted-adult",
        "leading-question",
        "child-advocacy-centre",
        "safeguarding-lead",
    } <= slugs
    advocacy = next(term for term in glossary.terms if term.slug == "child-advocacy-centre")
    assert "өмгөөлл" not in advocacy.term["mn"], "not to be read as a legal-defence centre"


# --- the loader carries them into the platform --------------------------------------------------------


@pytest.mark.django_db
def test_the_loader_renders_sources_and_marks_lessons_for_legal_review(site, tmp_path, client):
    from courses.models import LessonPage
    from curricula.loader import curricula_load
    from curricula.models import LegalReview
    from curricula.services import legal_review_mark
    from tests.factories import UserFactory

    flagged = _lesson("flagged", legal_review=REVIEW, body=[{"text": dict(TEXT)}, {"sources": [SOURCE]}])
    plain = _lesson("plain")
    directory = write_course(tmp_path / "c", modules=[module([flagged, plain])])
    report = curricula_load(sources=[("c", directory)])
    assert report.legal_reviews == {"opened": 1}
    lesson = LessonPage.objects.get(slug="flagged", locale__language_code="en")
    review = LegalReview.objects.get()
    assert (review.lesson_key, review.status, review.note_en) == (
        lesson.translation_key,
        LegalReview.Status.OPEN,
        REVIEW["en"],
    )
    html = unescape(client.get(lesson.url).content.decode())
    assert (
        "<h2>Sources</h2>" in html
        and "<cite>UN Convention on the Rights of the Child</cite>, Art. 12 (1989)." in html
    )
    assert f'href="{SOURCE["link"]}"' in html
    mn_html = unescape(
        client.get(LessonPage.objects.get(slug="flagged", locale__language_code="mn").url).content.decode()
    )
    assert "<h2>Эх сурвалж</h2>" in mn_html and "12 дугаар зүйл (1989)" in mn_html

    # A reviewer's decision stands through reloads; a mark the content drops goes while still open.
    legal_review_mark(review=review, status=LegalReview.Status.REVIEWED, user=UserFactory(), review_note="OK")
    again = curricula_load(sources=[("c", directory)])
    assert again.legal_reviews == {"kept": 1}
    assert LegalReview.objects.get().status == LegalReview.Status.REVIEWED
    LegalReview.objects.update(status=LegalReview.Status.OPEN)
    flagged.pop("legal_review")
    write_course(directory, modules=[module([flagged, plain])])
    removed = curricula_load(sources=[("c", directory)])
    assert removed.legal_reviews == {"removed": 1} and not LegalReview.objects.exists()


@pytest.mark.django_db
def test_reviewers_see_the_mark_on_the_lesson_and_in_the_release(site, tmp_path):
    from django.urls import reverse

    from courses.models import CoursePage, LessonPage
    from curricula.loader import curricula_load
    from curricula.models import LegalReview
    from lms.accounts import roles
    from lms.accounts.roles import roles_ensure
    from tests.factories import staff_client

    roles_ensure()
    flagged = _lesson("flagged", legal_review=REVIEW, body=[{"text": dict(TEXT)}, {"sources": [SOURCE]}])
    curricula_load(
        sources=[("c", write_course(tmp_path / "c", modules=[module([flagged, _lesson("plain")])]))]
    )
    reviewer = staff_client(roles.REVIEWERS)
    lesson = LessonPage.objects.get(slug="flagged", locale__language_code="en")
    edit = reviewer.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk]), follow=True)
    assert "Needs legal review: Check the current Criminal Procedure Law." in unescape(edit.content.decode())
    plain = LessonPage.objects.get(slug="plain", locale__language_code="en")
    assert (
        "Needs legal review"
        not in reviewer.get(reverse("wagtailadmin_pages:edit", args=[plain.pk])).content.decode()
    )

    release = CoursePage.objects.get(slug="test-course", locale__language_code="mn").releases.get(
        is_current=True
    )
    listing = reviewer.get(reverse("wagtailsnippets_courses_courserelease:list")).content.decode()
    assert reverse("curricula_admin:release_legal_review", args=[release.pk]) in listing
    page = unescape(
        reviewer.get(reverse("curricula_admin:release_legal_review", args=[release.pk])).content.decode()
    )
    assert (
        "1 lesson of this version has legal content" in page
        and "First" in page
        and "Needs legal review" in page
    )

    # The reviewer records the check; who and when are kept.
    review = LegalReview.objects.get()
    response = reviewer.post(
        reverse("wagtailsnippets_curricula_legalreview:edit", args=[review.pk]),
        {"status": "reviewed", "review_note": "Checked against the 2017 law."},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.reviewed_by, review.review_note) == (
        "reviewed",
        reviewer.user,
        "Checked against the 2017 law.",
    )
    assert review.reviewed_at is not None
    learner_client = staff_client(roles.LEARNERS)
    assert learner_client.get(
        reverse("curricula_admin:release_legal_review", args=[release.pk])
    ).status_code in (302, 403)
