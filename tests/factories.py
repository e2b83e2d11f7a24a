"""Factories for tests: people, and bilingual courses built the way the platform builds them."""

from __future__ import annotations

from dataclasses import dataclass, field

import factory
import wagtail_factories
from wagtail.models import Locale

from courses import services as course_services
from courses.models import CourseIndexPage, CoursePage, CourseRelease, LessonPage, ModulePage
from lms.accounts.models import Region, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"learner{n}@example.mn")
    full_name = factory.Faker("name")
    role = User.Role.TEACHER
    region = factory.LazyFunction(lambda: Region.objects.get(code="bayanzurkh"))
    password = factory.PostGenerationMethodCall("set_password", "a-Strong-pass-42")

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()
            # A confirmed email, so the person can sign in (verification is mandatory).
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class CoursePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CoursePage

    title = factory.Sequence(lambda n: f"Course {n}")
    summary = "A course for tests."


class ModulePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ModulePage

    title = factory.Sequence(lambda n: f"Module {n}")


class LessonPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = LessonPage

    title = factory.Sequence(lambda n: f"Lesson {n}")
    body = factory.LazyFunction(lambda: [{"type": "text", "value": "<p>Read this carefully.</p>"}])


@dataclass
class BuiltCourse:
    """A course in both languages with its published release."""

    pages: dict[str, CoursePage]
    modules: dict[str, list[ModulePage]]
    lessons: dict[str, list[LessonPage]]
    release: CourseRelease
    extra: dict = field(default_factory=dict)

    @property
    def mn(self) -> CoursePage:
        return self.pages["mn"]

    @property
    def en(self) -> CoursePage:
        return self.pages["en"]


def build_course(
    *,
    lessons: int = 3,
    modules: int = 1,
    slug: str | None = None,
    restricted_to: tuple[str, ...] = (),
    optional: tuple[int, ...] = (),
    publish: bool = True,
    version: str = "1.0",
) -> BuiltCourse:
    """A course with ``lessons`` lessons spread over ``modules`` modules, in mn and en.

    Lesson numbers in ``optional`` (0-based, course order) are not required for completion.
    ``restricted_to`` names the groups of a restricted course's audience.
    """
    from django.contrib.auth.models import Group

    audience = CoursePage.Audience.RESTRICTED if restricted_to else CoursePage.Audience.OPEN
    locales = {code: Locale.objects.get(language_code=code) for code in ("mn", "en")}
    catalogues = {code: CourseIndexPage.objects.get(locale=locales[code]) for code in locales}
    slug = slug or f"course-{CoursePage.objects.count() + 1}"
    pages, module_pages, lesson_pages = {}, {"mn": [], "en": []}, {"mn": [], "en": []}
    source = CoursePageFactory(parent=catalogues["mn"], slug=slug, title=f"Сургалт {slug}", audience=audience)
    if restricted_to:
        source.audience_groups = [Group.objects.get_or_create(name=name)[0] for name in restricted_to]
    pages["mn"] = source
    pages["en"] = CoursePageFactory(
        parent=catalogues["en"],
        slug=slug,
        title=f"Course {slug}",
        audience=audience,
        locale=locales["en"],
        translation_key=source.translation_key,
    )
    per_module = max(1, -(-lessons // modules))
    number = 0
    for m in range(modules):
        mn_module = ModulePageFactory(parent=pages["mn"], slug=f"module-{m + 1}", title=f"Бүлэг {m + 1}")
        en_module = ModulePageFactory(
            parent=pages["en"],
            slug=f"module-{m + 1}",
            title=f"Module {m + 1}",
            locale=locales["en"],
            translation_key=mn_module.translation_key,
        )
        module_pages["mn"].append(mn_module)
        module_pages["en"].append(en_module)
        for _ in range(per_module):
            if number >= lessons:
                break
            required = number not in optional
            mn_lesson = LessonPageFactory(
                parent=mn_module, slug=f"lesson-{number + 1}", title=f"Хичээл {number + 1}", required=required
            )
            en_lesson = LessonPageFactory(
                parent=en_module,
                slug=f"lesson-{number + 1}",
                title=f"Lesson {number + 1}",
                required=required,
                locale=locales["en"],
                translation_key=mn_lesson.translation_key,
            )
            lesson_pages["mn"].append(mn_lesson)
            lesson_pages["en"].append(en_lesson)
            number += 1
    for page in [
        *pages.values(),
        *module_pages["mn"],
        *module_pages["en"],
        *lesson_pages["mn"],
        *lesson_pages["en"],
    ]:
        page.save_revision().publish()
    release = course_services.release_publish(course=pages["mn"], version=version) if publish else None
    return BuiltCourse(pages=pages, modules=module_pages, lessons=lesson_pages, release=release)


def with_two_factor(user: User) -> str:
    """Give a person an authenticator app (TOTP); returns its secret, for ``totp_code``."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    """The current six-digit code of an authenticator app with this secret."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def staff_client(group_name: str):
    """A signed-in test client for a new member of a staff group, with two-factor sign-in set up
    and the admin in English (so assertions can read it)."""
    from django.contrib.auth.models import Group
    from django.test import Client
    from wagtail.users.models import UserProfile

    user = UserFactory()
    user.groups.add(Group.objects.get(name=group_name))
    with_two_factor(user)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client = Client()
    client.force_login(user)
    client.user = user
    return client
