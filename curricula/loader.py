"""Turn curriculum content files into Wagtail pages (mn and en) and a published release.

Idempotent: pages are matched by slug under their parent and updated only when the files
changed; a second run with the same files changes nothing. Everything happens in one
transaction, so a malformed file leaves the database as it was.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.html import escape
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page

from assessments.models import Quiz
from courses import selectors as course_selectors
from courses import services as course_services
from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from glossary.models import Term
from glossary.services import term_upsert
from lms.home.services import page_upsert as _page_upsert

from . import figures
from .prose import markdown_to_html
from .quizzes import SyncResult, category_ensure, quiz_sync
from .schema import (
    GLOSSARY_PATH,
    LANGS,
    Block,
    ContentError,
    CourseSpec,
    Glossary,
    QuizSpec,
    read_course,
    read_glossary,
)
from .schema.glossary import glossary_from_rows
from .services import legal_review_sync


def page_upsert(**kwargs):
    """The loader never overwrites what an editor changed in the admin."""
    return _page_upsert(keep_editor_changes=True, **kwargs)


AUDIENCE = {"open": CoursePage.Audience.OPEN, "justice": CoursePage.Audience.RESTRICTED}
COLLECTION_NAME = "Curricula"

# The lessons the loader adds around the content: the pre-test, module quizzes, the post-test.
PRE_TEST_LESSON = {
    "slug": "pre-test",
    "title": {"mn": "Өмнөх шалгалт: та юу мэдэж байна вэ?", "en": "Pre-test: what do you know already?"},
    "intro": {
        "mn": "Сургалтаа эхлэхийн өмнө энэ богино шалгалтыг өгнө үү. Оноо нь таныг хаанаас эхэлж байгааг "
        "харуулах бөгөөд хичээлээ үргэлжлүүлэхэд саад болохгүй. Сургалтын төгсгөлийн эцсийн шалгалт ижил "
        "сэдвүүдээр өөр асуулт асууж, та хэр их суралцсаныг харуулна.",
        "en": "Take this short test before you start. Your score shows where you begin and never stops you "
        "from going on. At the end of the course the final assessment asks new questions on the same "
        "topics, so you can see how much you learned.",
    },
}
POST_TEST_LESSON = {
    "slug": "post-test",
    "title": {"mn": "Эцсийн шалгалт", "en": "Final assessment"},
    "intro": {
        "mn": "Энэ шалгалт сургалтын бүх агуулгыг хамарна. Тэнцэх оноо авснаар сургалтаа дуусгана.",
        "en": "This assessment covers the whole course. Reach the pass mark to complete the course.",
    },
}
SOURCES_HEADING = {"mn": "Эх сурвалж", "en": "Sources"}
LINK_LABEL = {"mn": "эх бичвэр", "en": "text"}
MODULE_QUIZ_INTRO = {
    "mn": "Энэ бүлгээр юу сурснаа шалгана уу. Тэнцэх оноо авсны дараа хичээл дууссанд тооцогдоно.",
    "en": "Check what you learned in this module. The lesson is complete once you reach the pass mark.",
}


@dataclass
class LoadReport:
    """What a load created and changed, for the command to print."""

    lines: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0
    releases: int = 0
    quizzes_created: int = 0  # questions and quizzes
    quizzes_updated: int = 0
    terms: dict[str, int] = field(default_factory=dict)  # glossary terms: created, updated, kept
    legal_reviews: dict[str, int] = field(default_factory=dict)  # lessons marked for legal review

    def count(self, tally: dict[str, int], what: str) -> None:
        tally[what] = tally.get(what, 0) + 1

    def page(self, result, label: str):
        if result.kept:
            self.kept += 1
            self.lines.append(f"  kept {label}: changed by an editor in the admin")
        elif result.created:
            self.created += 1
            self.lines.append(f"  created {label}")
        elif result.changed:
            self.updated += 1
            self.lines.append(f"  updated {label}")
        else:
            self.unchanged += 1


def curriculum_dirs() -> list[tuple[str, Path]]:
    """Content folders of every installed curriculum app, in their declared order."""
    configs = [
        config for config in apps.get_app_configs() if getattr(config, "curriculum_order", None) is not None
    ]
    configs.sort(key=lambda config: config.curriculum_order)
    return [(config.label, Path(config.path) / "content") for config in configs]


class _Builder:
    """Builds the pages of one course from its validated spec."""

    def __init__(self, spec: CourseSpec, report: LoadReport):
        self.spec = spec
        self.report = report
        self.locales = {code: Locale.objects.get(language_code=code) for code in LANGS}
        self.default = Locale.get_default().language_code
        self.order = [self.default] + [code for code in LANGS if code != self.default]
        self._collection = None

    # blocks

    def body(self, blocks: list[Block], lang: str, where: str) -> list[dict]:
        return [self.block(block, lang, f"{where} block {n}") for n, block in enumerate(blocks, 1)]

    def block(self, block: Block, lang: str, where: str) -> dict:
        value = block.value
        if block.type == "text":
            return {"type": "text", "value": markdown_to_html(value[lang])}
        if block.type == "callout":
            return {
                "type": "callout",
                "value": {
                    "kind": value["kind"],
                    "title": value.get("title", {}).get(lang, "") if value.get("title") else "",
                    "text": markdown_to_html(value["text"][lang]),
                },
            }
        if block.type == "session_plan":
            return {
                "type": "session_plan",
                "value": {
                    "title": value["title"][lang],
                    "age_group": value["age_group"][lang],
                    "duration_minutes": value["duration_minutes"],
                    **{
                        key: list(value[key][lang])
                        for key in ("objectives", "materials", "steps", "discussion_questions")
                    },
                },
            }
        if block.type == "figure":
            image = self.figure_image(value, lang, where)
            return {
                "type": "figure",
                "value": {
                    "image": {"image": image.pk, "alt_text": value["alt"][lang], "decorative": False},
                    "caption": "",
                },
            }
        if block.type == "sources":
            return {"type": "text", "value": sources_html(block.value["items"], lang)}
        raise ContentError(self.spec.directory, block.line, f"{where}: unknown block type {block.type}")

    def figure_image(self, value: dict, lang: str, where: str):
        if value["kind"] == "compare":
            data = figures.draw_compare(
                value["title"][lang],
                value["left"]["heading"][lang],
                value["left"]["items"][lang],
                value["right"]["heading"][lang],
                value["right"]["items"][lang],
            )
        elif value["kind"] == "cycle":
            data = figures.draw_cycle(value["title"][lang], value["items"][lang])
        else:
            data = figures.draw_steps(value["title"][lang], value["items"][lang])
        digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()  # Wagtail's file_hash is SHA-1
        Image = get_image_model()
        existing = Image.objects.filter(file_hash=digest).first()
        if existing is not None:
            return existing
        title = f"{self.spec.slug}: {value['title'][lang]}"[:255]
        image = Image(title=title, collection=self.collection(), description=value["alt"][lang][:255])
        image.file = ImageFile(_named_bytes(data, f"{self.spec.slug}-{digest[:12]}.png"))
        image._set_image_file_metadata()  # size and file_hash, as Wagtail's upload form does
        image.save()
        return image

    def collection(self):
        if self._collection is None:
            root = Collection.get_first_root_node() or Collection.add_root(name="Root")
            self._collection = root.get_children().filter(name=COLLECTION_NAME).first() or root.add_child(
                name=COLLECTION_NAME
            )
        return self._collection

    def audience_groups(self) -> list:
        """A "justice" course is for the justice-sector learners group (and administrators)."""
        if self.spec.audience != "justice":
            return []
        from django.contrib.auth.models import Group

        from lms.accounts import roles

        return [Group.objects.get_or_create(name=roles.JUSTICE_LEARNERS)[0]]

    # quizzes

    def quiz_lesson(
        self,
        *,
        modules: dict[str, Page],
        slug: str,
        title: dict[str, str],
        intro: dict[str, str],
        quiz: Quiz,
        required: bool = True,
    ) -> None:
        lessons: dict[str, LessonPage] = {}
        for lang in self.order:
            result = page_upsert(
                parent=modules[lang],
                model=LessonPage,
                slug=slug,
                locale=self.locales[lang],
                translation_of=lessons.get(self.default),
                fields={
                    "title": title[lang],
                    "estimated_minutes": 15,
                    "required": required,
                    "body": [
                        {"type": "text", "value": markdown_to_html(intro[lang])},
                        {"type": "quiz", "value": {"quiz": quiz.pk}},
                    ],
                },
            )
            self.report.page(result, f"quiz lesson {self.spec.slug}/{slug} ({lang})")
            lessons[lang] = result.page

    def sync_quiz(self, spec: QuizSpec, key: str, **settings) -> Quiz:
        result = SyncResult()
        quiz = quiz_sync(
            spec=spec, source_key=f"{self.spec.slug}/{key}", category=self.category, result=result, **settings
        )
        self.report.quizzes_created += result.created
        self.report.quizzes_updated += result.updated
        self.report.kept += result.kept
        return quiz

    # pages

    # Long on purpose: one walk of the course tree in page order (course, modules, lessons, quizzes), each step a method.
    def build(self, catalogues: dict[str, Page]) -> CoursePage:
        spec = self.spec
        self.category = category_ensure(slug=spec.slug, title=spec.title)
        courses: dict[str, CoursePage] = {}
        for lang in self.order:
            result = page_upsert(
                parent=catalogues[lang],
                model=CoursePage,
                slug=spec.slug,
                locale=self.locales[lang],
                translation_of=courses.get(self.default),
                fields={
                    "title": spec.title[lang],
                    "summary": spec.summary[lang],
                    "description": markdown_to_html(spec.description[lang]),
                    "estimated_hours": round(spec.estimated_hours, 1),
                    "audience": AUDIENCE[spec.audience],
                    "audience_groups": self.audience_groups(),
                },
            )
            self.report.page(result, f"course {spec.slug} ({lang})")
            courses[lang] = result.page
        for module_spec in spec.modules:
            modules: dict[str, ModulePage] = {}
            for lang in self.order:
                result = page_upsert(
                    parent=courses[lang],
                    model=ModulePage,
                    slug=module_spec.slug,
                    locale=self.locales[lang],
                    translation_of=modules.get(self.default),
                    fields={"title": module_spec.title[lang], "summary": module_spec.summary.get(lang, "")},
                )
                self.report.page(result, f"module {spec.slug}/{module_spec.slug} ({lang})")
                modules[lang] = result.page
            for lesson_spec in module_spec.lessons:
                lessons: dict[str, LessonPage] = {}
                where = f"{module_spec.path.name} lesson '{lesson_spec.slug}'"
                for lang in self.order:
                    result = page_upsert(
                        parent=modules[lang],
                        model=LessonPage,
                        slug=lesson_spec.slug,
                        locale=self.locales[lang],
                        translation_of=lessons.get(self.default),
                        fields={
                            "title": lesson_spec.title[lang],
                            "estimated_minutes": lesson_spec.minutes,
                            "body": self.body(lesson_spec.body, lang, where),
                        },
                    )
                    self.report.page(result, f"lesson {spec.slug}/{lesson_spec.slug} ({lang})")
                    lessons[lang] = result.page
                outcome = legal_review_sync(
                    lesson_key=lessons[self.default].translation_key, note=lesson_spec.legal_review or None
                )
                if outcome not in ("none", "unchanged"):
                    self.report.count(self.report.legal_reviews, outcome)
                    self.report.lines.append(f"  legal review {outcome}: {spec.slug}/{lesson_spec.slug}")
            slugs = [lesson.slug for lesson in module_spec.lessons]
            if module_spec.quiz is not None:
                quiz = self.sync_quiz(module_spec.quiz, f"{module_spec.slug}/quiz")
                slug = f"{module_spec.slug}-quiz"
                self.quiz_lesson(
                    modules=modules,
                    slug=slug,
                    title=module_spec.quiz.title,
                    intro=MODULE_QUIZ_INTRO,
                    quiz=quiz,
                )
                slugs.append(slug)
            if spec.assessment is not None and module_spec is spec.modules[0]:
                pre = self.sync_quiz(
                    spec.assessment.pre,
                    "pre-test",
                    questions_key=f"{spec.slug}/assessment",
                    kind=Quiz.Kind.PRE_TEST,
                    max_attempts=1,
                    grading_method=Quiz.Grading.FIRST,
                    show_feedback=Quiz.Review.NEVER,
                    show_correct_answers=Quiz.Review.NEVER,
                )
                self.quiz_lesson(modules=modules, quiz=pre, required=False, **_lesson_texts(PRE_TEST_LESSON))
                slugs.insert(0, PRE_TEST_LESSON["slug"])
            if spec.assessment is not None and module_spec is spec.modules[-1]:
                post = self.sync_quiz(
                    spec.assessment.post,
                    "post-test",
                    questions_key=_post_test_questions_key(spec),
                    kind=Quiz.Kind.POST_TEST,
                    pre_test=pre,
                    max_attempts=3,
                    grading_method=Quiz.Grading.HIGHEST,
                    show_feedback=Quiz.Review.AFTER_ATTEMPT,
                    show_correct_answers=Quiz.Review.AFTER_FINISHED,
                )
                self.quiz_lesson(modules=modules, quiz=post, **_lesson_texts(POST_TEST_LESSON))
                slugs.append(POST_TEST_LESSON["slug"])
            for lang in self.order:
                _order_children(modules[lang], slugs)
        for lang in self.order:
            _order_children(courses[lang], [module.slug for module in spec.modules])
        return courses[self.default]


def sources_html(items: list[dict], lang: str) -> str:
    """A lesson's Sources block: instrument, article, year, link and note, one line each."""
    lines = []
    for item in items:
        parts = [f"<cite>{escape(item['instrument'][lang])}</cite>"]
        if item["article"]:
            parts.append(escape(item["article"][lang]))
        text = ", ".join(parts) + (f" ({item['year']})" if item["year"] else "") + "."
        if item["note"]:
            text += f" {escape(item['note'][lang])}"
        if item["link"]:
            text += f' <a href="{escape(item["link"])}">{LINK_LABEL[lang]}</a>'
        lines.append(f"<li>{text}</li>")
    return f'<h2>{SOURCES_HEADING[lang]}</h2><ol class="sources">{"".join(lines)}</ol>'


def glossary_load(report: LoadReport) -> Glossary:
    """Copy the shipped glossary into the editors' one (keeping their changes) and return every
    stored term, for the content checks: an editor's refused rendering is refused too."""
    if GLOSSARY_PATH.is_file():
        for term in read_glossary().terms:
            values = {
                **{f"term_{lang}": term.term[lang] for lang in LANGS},
                **{f"definition_{lang}": term.definition[lang] for lang in LANGS},
                **{f"forms_{lang}": "\n".join(term.forms[lang]) for lang in LANGS},
                **{f"variants_{lang}": "\n".join(term.variants[lang]) for lang in LANGS},
            }
            result = term_upsert(slug=term.slug, values=values)
            if result.kept:
                report.count(report.terms, "kept")
            elif result.created or result.changed:
                report.count(report.terms, "created" if result.created else "updated")
    return glossary_from_rows(
        [
            {
                "slug": term.slug,
                "term": {lang: term.term(lang) for lang in LANGS},
                "definition": {lang: term.definition(lang) for lang in LANGS},
                "forms": {lang: term.stems(lang)[1:] for lang in LANGS},
                "variants": {lang: term.variants(lang) for lang in LANGS},
            }
            for term in Term.objects.all()
        ]
    )


def _post_test_questions_key(spec: CourseSpec) -> str:
    """A parallel post-test has questions of its own; a 1.0-shaped file repeated the pre-test's."""
    return f"{spec.slug}/post-test" if spec.assessment.parallel else f"{spec.slug}/assessment"


def _lesson_texts(lesson: dict) -> dict:
    return {"slug": lesson["slug"], "title": lesson["title"], "intro": lesson["intro"]}


def _order_children(parent: Page, slugs: list[str]) -> None:
    """Put the named children first, in the given order (content files decide the order)."""
    children = {child.slug: child for child in parent.get_children()}
    current = [child.slug for child in parent.get_children() if child.slug in slugs]
    if current == [slug for slug in slugs if slug in children]:
        return
    for slug in slugs:
        if slug in children:
            Page.objects.get(pk=children[slug].pk).move(parent, pos="last-child")


def _named_bytes(data: bytes, name: str):
    import io

    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def catalogues_by_language() -> dict[str, Page]:
    catalogues = {
        page.locale.language_code: page for page in CourseIndexPage.objects.select_related("locale")
    }
    missing = [code for code in LANGS if code not in catalogues]
    if missing:
        raise ContentError(
            "catalogue", None, f"no catalogue page for {', '.join(missing)}: run `manage.py setup_site` first"
        )
    return catalogues


@transaction.atomic
def curricula_load(
    *, only: list[str] | None = None, sources: list[tuple[str, Path]] | None = None, rules: bool = True
) -> LoadReport:
    """Load every installed curriculum (or the named ones, or the given folders); all or nothing.

    ``rules=False`` loads content of an earlier release as it shipped (upgrade tests only): its
    shape is still checked, the content rules of later releases are not.
    """
    report = LoadReport()
    catalogues = catalogues_by_language()
    glossary = glossary_load(report)
    for label, directory in sources if sources is not None else curriculum_dirs():
        spec = read_course(directory, rules=rules, glossary=glossary)
        if only and label not in only and spec.slug not in only:
            continue
        course = _Builder(spec, report).build(catalogues)
        current = course_selectors.current_release(course)
        if current is None or current.version != spec.version:
            course_services.release_publish(
                course=course,
                version=spec.version,
                notes_mn=spec.release_notes.get("mn", ""),
                notes_en=spec.release_notes.get("en", ""),
                # Through the platform's own release service: the policy moves learners after the
                # commit, keeping their progress on every lesson whose content did not change.
                policy=spec.release_policy,
            )
            report.releases += 1
            report.lines.append(
                f"  published {spec.slug} release {spec.version} (who moves: {spec.release_policy})"
            )
    return report
