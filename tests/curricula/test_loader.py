"""The curriculum loader: idempotent, updates by slug, all or nothing, clear errors."""

from pathlib import Path

import pytest
import yaml
from wagtail.images import get_image_model
from wagtail.models import Page

from courses.models import CoursePage, CourseRelease, LessonPage
from curricula.loader import LoadReport, curricula_load
from curricula.schema import ContentError, read_course

from .content_helpers import balanced_assessment

pytestmark = pytest.mark.django_db

TEXT = {"en": "Listen first.", "mn": "Эхлээд сонс."}


def _write_course(root: Path, *, lessons=None, extra_module=None) -> Path:
    lessons = lessons or [
        {"slug": "first", "title": {"en": "First", "mn": "Нэгдүгээр"}, "body": [{"text": TEXT}]},
        {
            "slug": "second",
            "title": {"en": "Second", "mn": "Хоёрдугаар"},
            "body": [
                {"callout": {"kind": "safeguarding", "title": {"en": "Note", "mn": "Санамж"}, "text": TEXT}},
                {
                    "figure": {
                        "kind": "steps",
                        "title": {"en": "Steps", "mn": "Алхам"},
                        "items": {"en": ["Listen", "Report", "Refer"], "mn": ["Сонс", "Мэдээл", "Шилжүүл"]},
                        "alt": {"en": "Three steps.", "mn": "Гурван алхам."},
                    }
                },
                {
                    "session_plan": {
                        "title": {"en": "Club", "mn": "Клуб"},
                        "age_group": {"en": "12-15", "mn": "12-15"},
                        "duration_minutes": 40,
                        "objectives": {"en": ["Know"], "mn": ["Мэдэх"]},
                        "materials": {"en": ["Paper"], "mn": ["Цаас"]},
                        "steps": {"en": ["Talk"], "mn": ["Ярих"]},
                        "discussion_questions": {"en": ["Why?"], "mn": ["Яагаад?"]},
                    }
                },
            ],
        },
    ]
    root.mkdir(parents=True, exist_ok=True)
    modules = [{"slug": "basics", "title": {"en": "Basics", "mn": "Үндэс"}, "lessons": lessons}]
    if extra_module:
        modules.append(extra_module)
    names = []
    for number, module in enumerate(modules, 1):
        name = f"{number:02d}.yaml"
        (root / name).write_text(yaml.safe_dump(module, allow_unicode=True), encoding="utf-8")
        names.append(name)
    course = {
        "slug": "test-course",
        "version": "1.0",
        "title": {"en": "Test course", "mn": "Туршилтын сургалт"},
        "summary": {"en": "Summary", "mn": "Товч"},
        "description": {"en": "About", "mn": "Тухай"},
        "audience": "open",
        "estimated_hours": 2,
        "modules": names,
    }
    (root / "course.yaml").write_text(yaml.safe_dump(course, allow_unicode=True), encoding="utf-8")
    return root


def _load(*directories: Path) -> tuple[CoursePage | None, LoadReport]:
    report = curricula_load(sources=[(f"test{n}", directory) for n, directory in enumerate(directories)])
    return CoursePage.objects.filter(slug="test-course", locale__language_code="mn").first(), report


def test_loading_creates_both_languages_and_a_second_load_changes_nothing(site, tmp_path):
    directory = _write_course(tmp_path / "course")
    course, first = _load(directory)
    assert first.created == 2 + 2 + 4  # course, module and two lessons, in mn and en
    lessons = LessonPage.objects.filter(locale__language_code="en").order_by("path")
    assert [lesson.slug for lesson in lessons] == ["first", "second"]
    translation = LessonPage.objects.get(slug="first", locale__language_code="mn")
    assert translation.translation_key == lessons[0].translation_key
    assert get_image_model().objects.count() == 2, "one figure per language"
    revisions = Page.objects.filter(pk=course.pk).values_list("latest_revision_id", flat=True)[0]

    _course, second = _load(directory)
    assert (second.created, second.updated) == (0, 0)
    assert get_image_model().objects.count() == 2
    assert Page.objects.filter(pk=course.pk).values_list("latest_revision_id", flat=True)[0] == revisions


def test_changed_text_updates_the_page_in_place(site, tmp_path):
    directory = _write_course(tmp_path / "course")
    _load(directory)
    lesson_id = LessonPage.objects.get(slug="first", locale__language_code="en").pk
    changed = [
        {"slug": "first", "title": {"en": "First, revised", "mn": "Нэгдүгээр"}, "body": [{"text": TEXT}]}
    ]
    _write_course(directory, lessons=changed)
    _course, report = _load(directory)
    assert report.updated == 1 and report.created == 0
    lesson = LessonPage.objects.get(pk=lesson_id)
    assert lesson.title == "First, revised"
    assert LessonPage.objects.filter(slug="first").count() == 2, "never duplicated"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda m: m["lessons"][0]["title"].pop("mn"), "missing the mn translation"),
        (lambda m: m["lessons"].append(dict(m["lessons"][0])), "duplicate slug 'first'"),
        (lambda m: m["lessons"][0]["body"].append({"podcast": TEXT}), "unknown block type 'podcast'"),
        (
            lambda m: m.update(
                quiz={
                    "title": TEXT,
                    "questions": [
                        {
                            "type": "single_choice",
                            "text": TEXT,
                            "options": [{"text": TEXT}, {"text": {"en": "b", "mn": "б"}}],
                        }
                    ],
                }
            ),
            "exactly one correct option",
        ),
    ],
)
def test_malformed_content_is_refused_with_file_and_line(site, tmp_path, mutate, message):
    directory = _write_course(tmp_path / "course")
    module = yaml.safe_load((directory / "01.yaml").read_text(encoding="utf-8"))
    mutate(module)
    (directory / "01.yaml").write_text(yaml.safe_dump(module, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError) as error:
        _load(directory)
    assert message in str(error.value)
    assert str(error.value).startswith(str(directory / "01.yaml") + ":")
    assert error.value.line is not None
    assert not CoursePage.objects.exists(), "nothing was written"


def test_invalid_yaml_names_the_line(tmp_path):
    directory = _write_course(tmp_path / "course")
    (directory / "01.yaml").write_text("slug: basics\ntitle: {en: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        read_course(directory)
    assert error.value.line in (2, 3)
    assert "invalid YAML" in str(error.value)


def test_a_bad_second_course_rolls_back_the_first(site, tmp_path):
    good = _write_course(tmp_path / "good")
    bad = _write_course(tmp_path / "bad")
    course_file = yaml.safe_load((bad / "course.yaml").read_text(encoding="utf-8"))
    course_file["slug"] = "other-course"
    course_file["audience"] = "everyone"
    (bad / "course.yaml").write_text(yaml.safe_dump(course_file, allow_unicode=True), encoding="utf-8")
    pages_before = Page.objects.count()
    with pytest.raises(ContentError) as error:
        _load(good, bad)
    assert "audience must be one of" in str(error.value)
    assert Page.objects.count() == pages_before
    assert not CourseRelease.objects.exists()


def test_the_release_is_published_once_and_again_when_the_version_changes(site, tmp_path):
    directory = _write_course(tmp_path / "course")
    course, report = _load(directory)
    assert report.releases == 1
    assert course.releases.get(is_current=True).version == "1.0"
    course_file = yaml.safe_load((directory / "course.yaml").read_text(encoding="utf-8"))
    course_file["version"] = "1.1"
    (directory / "course.yaml").write_text(yaml.safe_dump(course_file, allow_unicode=True), encoding="utf-8")
    course, report = _load(directory)
    assert report.releases == 1
    assert list(course.releases.values_list("version", "is_current").order_by("version")) == [
        ("1.0", False),
        ("1.1", True),
    ]


def test_shipped_curricula_load_twice_without_changes(site):
    from curricula.loader import curricula_load

    first = curricula_load()
    assert first.created > 0 and first.releases >= 1 and first.quizzes_created > 0
    second = curricula_load()
    assert (second.created, second.updated, second.releases) == (0, 0, 0)
    assert (second.quizzes_created, second.quizzes_updated) == (0, 0)


def test_quizzes_become_bank_questions_and_quiz_lessons(site, tmp_path):
    directory = _write_course(tmp_path / "course")
    module = yaml.safe_load((directory / "01.yaml").read_text(encoding="utf-8"))
    module["quiz"] = {
        "title": {"en": "Basics check", "mn": "Үндсийн шалгалт"},
        "pass_mark": 60,
        "questions": [
            {
                "type": "true_false",
                "text": {"en": "Listen first?", "mn": "Эхлээд сонсох уу?"},
                "answer": True,
            },
            {
                "type": "matching",
                "text": {"en": "Match", "mn": "Харгалзуул"},
                "pairs": [
                    {
                        "left": {"en": "108", "mn": "108"},
                        "right": {"en": "Child helpline", "mn": "Хүүхдийн утас"},
                    },
                    {"left": {"en": "102", "mn": "102"}, "right": {"en": "Police", "mn": "Цагдаа"}},
                ],
            },
        ],
    }
    (directory / "01.yaml").write_text(yaml.safe_dump(module, allow_unicode=True), encoding="utf-8")
    course_file = yaml.safe_load((directory / "course.yaml").read_text(encoding="utf-8"))
    course_file["assessment"] = "assessment.yaml"
    (directory / "course.yaml").write_text(yaml.safe_dump(course_file, allow_unicode=True), encoding="utf-8")
    (directory / "assessment.yaml").write_text(
        yaml.safe_dump(balanced_assessment(), allow_unicode=True), encoding="utf-8"
    )
    course, report = _load(directory)
    from assessments.models import Question, Quiz

    assert Question.objects.count() == 2 + 2 + 2, "module quiz, pre-test and post-test questions"
    kinds = sorted(Quiz.objects.values_list("kind", flat=True))
    assert kinds == ["graded", "post_test", "pre_test"]
    post = Quiz.objects.get(kind="post_test")
    pre = Quiz.objects.get(kind="pre_test")
    assert post.pre_test == pre
    pre_questions = set(pre.fixed_questions.values_list("question_id", flat=True))
    post_questions = set(post.fixed_questions.values_list("question_id", flat=True))
    assert len(pre_questions) == len(post_questions) == 2
    assert not pre_questions & post_questions, "a post-test shares no question with its pre-test"
    slugs = list(
        LessonPage.objects.filter(locale__language_code="en").order_by("path").values_list("slug", flat=True)
    )
    assert slugs == ["pre-test", "first", "second", "basics-quiz", "post-test"]
    release = course.releases.get(is_current=True)
    completion = dict(release.lessons.values_list("position", "completion"))
    assert completion == {0: "activity", 1: "manual", 2: "manual", 3: "activity", 4: "activity"}
    assert release.required_lesson_count == 4, "the pre-test never blocks completion"
    _course, again = _load(directory)
    assert (again.quizzes_created, again.quizzes_updated, again.created, again.updated) == (0, 0, 0, 0)


def test_a_reload_keeps_what_an_editor_changed_in_the_admin(site, tmp_path):
    from tests.factories import UserFactory

    directory = _write_course(tmp_path / "course")
    _load(directory)
    lesson = LessonPage.objects.get(slug="first", locale__language_code="en")
    lesson.title = "First, as the editor rewrote it"
    lesson.save_revision(user=UserFactory()).publish()
    changed = [
        {
            "slug": "first",
            "title": {"en": "First, from the files", "mn": "Нэгдүгээр"},
            "body": [{"text": TEXT}],
        }
    ]
    _write_course(directory, lessons=changed)
    _course, report = _load(directory)
    assert report.kept == 1
    assert LessonPage.objects.get(pk=lesson.pk).title == "First, as the editor rewrote it"
    assert any("kept" in line and "first (en)" in line for line in report.lines)


def test_teachers_see_the_three_kits_and_investigators_all_four(site, client):
    from django.contrib.auth.models import Group

    from lms.accounts import roles
    from tests.factories import UserFactory

    curricula_load()
    teacher, investigator = UserFactory(), UserFactory()
    investigator.groups.add(Group.objects.get(name=roles.JUSTICE_LEARNERS))
    for user, expected in ((teacher, 3), (investigator, 4)):
        client.force_login(user)
        for url in ("/courses/", "/en/courses/"):
            html = client.get(url).content.decode()
            titles = [
                course.title
                for course in CoursePage.objects.live().filter(
                    locale__language_code="en" if url.startswith("/en") else "mn"
                )
            ]
            assert sum(title in html for title in titles) == expected, (user, url)
        assert ("Child-friendly investigation" in client.get("/en/courses/").content.decode()) == (
            expected == 4
        )


def test_a_10_shaped_assessment_loaded_as_history_then_a_parallel_one_replaces_the_post_test(site, tmp_path):
    """A site that loaded 1.0 (one list of questions for both tests) gets new post-test questions;
    the pre-test keeps its bank questions, updated in place."""
    from assessments.models import Quiz

    directory = _write_course(tmp_path / "course")
    course_file = yaml.safe_load((directory / "course.yaml").read_text(encoding="utf-8"))
    course_file["assessment"] = "assessment.yaml"
    (directory / "course.yaml").write_text(yaml.safe_dump(course_file, allow_unicode=True), encoding="utf-8")
    legacy = {
        "title": {"en": "Course check", "mn": "Сургалтын шалгалт"},
        "pass_mark": 70,
        "questions": balanced_assessment()["pre_test"]["questions"],
    }
    (directory / "assessment.yaml").write_text(yaml.safe_dump(legacy, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError, match="would ask the pre-test's questions again"):
        _load(directory)
    curricula_load(sources=[("test0", directory)], rules=False)
    pre, post = Quiz.objects.get(kind="pre_test"), Quiz.objects.get(kind="post_test")
    before = list(pre.fixed_questions.order_by("sort_order").values_list("question_id", flat=True))
    assert list(post.fixed_questions.order_by("sort_order").values_list("question_id", flat=True)) == before

    (directory / "assessment.yaml").write_text(
        yaml.safe_dump(balanced_assessment(), allow_unicode=True), encoding="utf-8"
    )
    _load(directory)
    pre.refresh_from_db()
    post.refresh_from_db()
    assert list(pre.fixed_questions.order_by("sort_order").values_list("question_id", flat=True)) == before
    after = list(post.fixed_questions.order_by("sort_order").values_list("question_id", flat=True))
    assert len(after) == 2 and not set(after) & set(before)
