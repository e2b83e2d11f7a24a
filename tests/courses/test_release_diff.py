"""The release review: word-level changes per block and language, and non-text blocks listed."""

import pytest
import wagtail_factories
from django.template.loader import render_to_string
from django.utils import translation

from courses import selectors as course_selectors
from courses import services
from courses.models import LessonPage
from courses.selectors.diff import language_diff, match_blocks, normalise, word_pieces
from tests.factories import build_course


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


NAMES = {("activity", 7): "Arithmetic Quiz", ("image", 3): "Helpline poster", ("quiz", 2): "Pre-test"}


def namer(kind, pk):
    return NAMES.get((kind, pk), f"#{pk}")


def text(value, block_id=None):
    block = {"type": "text", "value": value}
    return {**block, "id": block_id} if block_id else block


def content(*blocks, title="Listening"):
    return {"title": title, "body": list(blocks)}


PARAGRAPH = "<p>Listen calmly. Do not promise secrecy. Report the same day to your safeguarding lead.</p>"
REFLOWED = (
    "<p>Listen   calmly.\n  Do not promise&nbsp;secrecy.</p>\n"
    "<p>Report the same day to your <b>safeguarding</b> lead.</p>"
)
TWO_MORE = (
    "<p>Listen calmly. Do not promise secrecy. Write down what the child said. "
    "Use their own words. Report the same day to your safeguarding lead.</p>"
)


# --- the comparison -------------------------------------------------------------------------------


def test_normalised_text_drops_tags_entities_and_spacing():
    assert normalise("<p>A&amp;B  <i>c</i>\n d</p><p>e</p>") == "A&B c d e"


def test_reflowed_identical_text_is_no_change():
    assert not language_diff("en", content(text(PARAGRAPH, "a")), content(text(REFLOWED, "a")), namer)
    assert not language_diff("en", content(text(PARAGRAPH)), content(text(REFLOWED)), namer), "new ids"


def test_two_added_sentences_are_exactly_those_words_inserted():
    diff = language_diff("en", content(text(PARAGRAPH, "a")), content(text(TWO_MORE, "a")), namer)
    assert len(diff.texts) == 1 and not diff.blocks
    change = diff.texts[0]
    assert change.inserted == ["Write down what the child said. Use their own words."]
    assert change.deleted == []
    kinds = [piece.kind for piece in change.pieces]
    assert kinds == ["same", "ins", "same", "gap"], "a few words of context either side"
    assert change.pieces[0].text == "Listen calmly. Do not promise secrecy."
    assert change.pieces[2].text == "Report the same day to"


def test_context_is_a_few_words_and_long_unchanged_runs_are_gaps():
    before = " ".join(f"w{n}" for n in range(40))
    after = before.replace("w20", "changed")
    pieces = word_pieces(before, after)
    assert [p.kind for p in pieces] == ["gap", "same", "del", "ins", "same", "gap"]
    assert pieces[1].text == "w15 w16 w17 w18 w19" and pieces[4].text == "w21 w22 w23 w24 w25"


def test_a_changed_title_is_shown():
    diff = language_diff(
        "mn", content(title="Хүүхдийг сонсох"), content(title="Хүүхдийг анхааралтай сонсох"), namer
    )
    assert diff.texts[0].inserted == ["анхааралтай"] and diff.texts[0].deleted == []


def test_an_added_h5p_activity_is_listed():
    h5p = {"type": "h5p", "id": "h", "value": {"activity": 7, "completion": "passed"}}
    diff = language_diff("en", content(text(PARAGRAPH, "a")), content(text(PARAGRAPH, "a"), h5p), namer)
    assert diff.blocks == ["H5P activity “Arithmetic Quiz” added"] and not diff.texts


def test_a_removed_image_is_listed_with_its_caption_words():
    figure = {
        "type": "figure",
        "id": "f",
        "value": {"image": {"image": 3, "alt_text": "A poster", "decorative": False}, "caption": "Call 108"},
    }
    diff = language_diff("en", content(text(PARAGRAPH, "a"), figure), content(text(PARAGRAPH, "a")), namer)
    assert diff.blocks == ["Image “Helpline poster” removed"]
    assert diff.texts[0].deleted == ["A poster Call 108"] and diff.texts[0].inserted == []


def test_a_replaced_image_and_a_moved_quiz_are_listed():
    quiz = {"type": "quiz", "id": "q", "value": {"quiz": 2}}
    figure = {"type": "figure", "id": "f", "value": {"image": {"image": 3}, "caption": ""}}
    other = {**figure, "value": {"image": {"image": 9}, "caption": ""}}
    diff = language_diff(
        "en",
        content(text(PARAGRAPH, "a"), text("<p>Then call.</p>", "b"), quiz, figure),
        content(quiz, text(PARAGRAPH, "a"), text("<p>Then call.</p>", "b"), other),
        namer,
    )
    assert diff.blocks == ["Quiz “Pre-test” moved", "Image “Helpline poster” replaced by “#9”"]
    assert not diff.texts


def test_blocks_without_shared_ids_are_matched_by_position_and_type():
    old = [text("<p>a</p>", "1"), {"type": "quiz", "id": "2", "value": {"quiz": 2}}]
    new = [text("<p>b</p>", "x"), {"type": "quiz", "id": "y", "value": {"quiz": 2}}]
    assert match_blocks(old, new) == [(0, 0), (1, 1)]


def test_lines_are_in_mongolian_for_a_mongolian_reviewer():
    h5p = {"type": "h5p", "id": "h", "value": {"activity": 7}}
    with translation.override("mn"):
        diff = language_diff("mn", content(), content(h5p), namer)
    assert "Arithmetic Quiz" in diff.blocks[0] and "added" not in diff.blocks[0], diff.blocks


# --- through a release ----------------------------------------------------------------------------


def save_draft(lesson: LessonPage, body: list[dict]) -> None:
    page = LessonPage.objects.get(pk=lesson.pk).get_latest_revision_as_object()
    page.body = body
    page.save_revision()


def test_the_review_shows_both_languages_word_by_word_and_escapes_html(site):
    poster = wagtail_factories.ImageFactory(title="Helpline poster")
    figure = {"type": "figure", "id": "fig", "value": {"image": {"image": poster.pk, "alt_text": ""}}}
    course = build_course(lessons=2, slug="worddiff", publish=False)
    first = {code: course.lessons[code][0] for code in ("mn", "en")}
    save_draft(first["en"], [text(PARAGRAPH, "p1"), figure])
    save_draft(first["mn"], [text("<p>Тайван сонс.</p>", "p1")])
    services.release_publish(course=course.mn, version="1.0")

    save_draft(
        first["en"], [text(TWO_MORE.replace("own words.", "own words &lt;b&gt;verbatim&lt;/b&gt;."), "p1")]
    )
    save_draft(first["mn"], [text("<p>Тайван   сонс. Нууц амлахгүй.</p>", "p1")])
    changes = course_selectors.release_changes(course=course.mn)
    [change] = changes.of("changed")
    assert change.changed_languages == ["mn", "en"] and change.stale_languages == []
    en, mn = change.diffs["en"], change.diffs["mn"]
    assert en.texts[0].inserted == ["Write down what the child said. Use their own words <b>verbatim</b>."]
    assert en.texts[0].deleted == []
    assert en.blocks == ["Image “Helpline poster” removed"]
    assert mn.texts[0].inserted == ["Нууц амлахгүй."] and mn.texts[0].deleted == []

    page = render_to_string("courses/admin/release_changes.html", {"changes": changes})
    assert "&lt;b&gt;verbatim&lt;/b&gt;" in page and "<b>verbatim" not in page
    assert "Write down what the child said." in page and "<ins>" in page
    assert "Нууц амлахгүй." in page and "Image “Helpline poster” removed" in page


def test_a_resaved_lesson_shows_no_text_change(site):
    course = build_course(lessons=1, slug="resaved", publish=False)
    lesson = course.lessons["en"][0]
    save_draft(lesson, [text(PARAGRAPH, "p1")])
    services.release_publish(course=course.mn, version="1.0")
    save_draft(lesson, [text(REFLOWED, "p1")])
    changes = course_selectors.release_changes(course=course.mn)
    assert [c.diffs for c in changes.lessons] == [{}], "only the markup changed"
