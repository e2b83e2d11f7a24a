"""The question bank, quizzes and the staff screens in the Wagtail admin."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_urls
from .admin_forms import QuizForm
from .h5p.admin import H5PActivityCreateView, H5PActivityEditView, H5PActivityForm
from .models import H5PActivity, Question, QuestionCategory, Quiz


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
    edit_handler = ObjectList(Quiz.panels, base_form_class=QuizForm)  # refuses a shared question


class H5PActivityViewSet(SnippetViewSet):
    model = H5PActivity
    icon = "code"
    menu_label = _("H5P activities")
    list_display = ["title", "main_library", "completion_rule", "pass_mark", "uploaded_at"]
    search_fields = ["title"]
    add_view_class = H5PActivityCreateView
    edit_view_class = H5PActivityEditView
    edit_handler = ObjectList(
        [FieldPanel("package_file"), *H5PActivity.panels], base_form_class=H5PActivityForm
    )


class AssessmentsGroup(SnippetViewSetGroup):
    items = (QuizViewSet, QuestionViewSet, QuestionCategoryViewSet, H5PActivityViewSet)
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
    if isinstance(snippet, H5PActivity) and user.has_perm("assessments.change_h5pactivity"):
        yield ListingButton(
            _("Results"),
            reverse("assessments_admin:h5p_results", args=[snippet.pk]),
            icon_name="table",
            priority=15,
        )
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
