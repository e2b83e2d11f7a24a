"""Every shipped lesson, loaded and rendered as learners get it: real lists, headings in order (issue 16)."""

import re
from html.parser import HTMLParser

import pytest

from curricula.prose import markdown_to_html

RUN_ON_LIST = re.compile(r"[;:,.]\s+[-*]\s+\S")


class _Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.paragraphs: list[str] = []
        self._in_p = False
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "p":
            self._in_p, self._text = True, []

    def handle_endtag(self, tag):
        if tag == "p" and self._in_p:
            self.paragraphs.append("".join(self._text))
            self._in_p = False

    def handle_data(self, data):
        if self._in_p:
            self._text.append(data)


def _problems(html: str) -> list[str]:
    outline = _Outline()
    outline.feed(html)
    problems = []
    previous = 0
    for level in outline.headings:
        if level > previous + 1:
            problems.append(f"h{level} after h{previous}")
        previous = level
    for text in outline.paragraphs:
        flat = " ".join(text.split())
        if RUN_ON_LIST.search(flat) or any(re.match(r"\s*(-|\d+\.)\s", line) for line in text.splitlines()):
            problems.append(f"list run into a paragraph: {flat[:80]}")
    return problems


def test_a_list_right_after_its_lead_in_line_is_a_list_and_headings_start_at_h2():
    html = markdown_to_html("### What to do\nYou can:\n- listen;\n- believe the child\n\n#### Then\nText.")
    assert "<ul>" in html and "<li>listen;</li>" in html
    assert "<h2>What to do</h2>" in html and "<h3>Then</h3>" in html
    assert _problems("<h1>Lesson</h1>" + html) == []
    # the check itself catches what learners saw before
    assert _problems("<h1>L</h1><h3>x</h3><p>тайлбарлах; - итгэж болох</p>") == [
        "h3 after h1",
        "list run into a paragraph: тайлбарлах; - итгэж болох",
    ]


@pytest.mark.django_db
def test_every_shipped_lesson_renders_lists_as_lists_and_headings_in_order(site):
    from courses.models import LessonPage
    from curricula.loader import curricula_load

    curricula_load()
    lessons = LessonPage.objects.live().select_related("locale")
    assert lessons.count() > 100
    failures = {}
    for lesson in lessons:
        body = "".join(str(block.render()) for block in lesson.body)
        problems = _problems(f"<h1>{lesson.title}</h1>{body}")
        if problems:
            failures[f"{lesson.locale.language_code}/{lesson.slug}"] = problems
    assert failures == {}
