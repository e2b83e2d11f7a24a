"""The question bank, quizzes and the staff screens in the Wagtail admin."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_urls
from .models import Question, QuestionCategory, Quiz


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Question bank")
    list_display = ["__str__", "kind", "category", "live"]
    list_filter = ["kind", "category", "live"]
    search_fields = ["text_mn", "text_en"]
    list_per_page = 50


class QuestionCategoryViewSet(SnippetViewSet):
    model = QuestionCategory
    icon = "folder-open-inverse"
    menu_label = _("Question categories")
    list_display = ["name_mn", "name_en", "slug"]


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "form"
    menu_label = _("Quizzes")
    list_display = ["__str__", "kind", "pass_mark", "max_attempts", "live"]
    list_filter = ["kind", "live"]
    search_fields = ["title_mn", "title_en"]


class AssessmentsGroup(SnippetViewSetGroup):
    items = (QuizViewSet, QuestionViewSet, QuestionCategoryViewSet)
    menu_icon = "form"
    menu_label = _("Quizzes")
    menu_name = "quizzes"
    menu_order = 250


register_snippet(AssessmentsGroup)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("assessments/", include((admin_urls, "assessments_admin")))]


@hooks.register("register_snippet_listing_buttons")
def snippet_listing_buttons(snippet, user, next_url=None):
    if not user.has_perm("assessments.change_quiz"):
        return
    if isinstance(snippet, Quiz):
        yield ListingButton(
            _("Results"),
            reverse("assessments_admin:quiz_results", args=[snippet.pk]),
            icon_name="table",
            priority=15,
        )
    elif isinstance(snippet, Question):
        yield ListingButton(
            _("Regrade"),
            reverse("assessments_admin:question_regrade", args=[snippet.pk]),
            icon_name="repeat",
            priority=15,
        )
