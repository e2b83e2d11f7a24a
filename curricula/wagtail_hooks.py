"""Legal review in the Wagtail admin: the marked lessons, a warning on their edit page, and the
list of marked lessons for each course release."""

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.urls import include, path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, SnippetViewSet

from courses.models import CourseRelease, LessonPage

from . import admin_urls
from .models import LegalReview
from .selectors import legal_review_for_lesson
from .services import legal_review_mark


class LegalReviewEditView(EditView):
    """A reviewer's decision is recorded with who made it and when."""

    def save_instance(self):
        return legal_review_mark(
            review=self.object,
            status=self.form.cleaned_data["status"],
            user=self.request.user,
            review_note=self.form.cleaned_data.get("review_note", ""),
        )


class LegalReviewViewSet(SnippetViewSet):
    model = LegalReview
    icon = "warning"
    menu_label = _("Legal review")
    menu_order = 245
    add_to_admin_menu = True
    list_display = [
        Column("lesson_title", label=_("Lesson")),
        "status",
        "source",
        "reviewed_at",
    ]
    list_filter = ["status", "source"]
    edit_view_class = LegalReviewEditView

    def get_queryset(self, request):
        titles = LessonPage.objects.filter(translation_key=OuterRef("lesson_key"), locale__language_code="mn")
        return LegalReview.objects.annotate(lesson_title=Subquery(titles.values("title")[:1]))

    panels = [
        FieldPanel("note_mn", read_only=True),
        FieldPanel("note_en", read_only=True),
        FieldPanel("status"),
        FieldPanel("review_note"),
    ]


register_snippet(LegalReviewViewSet)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("legal-review/", include((admin_urls, "curricula_admin")))]


@hooks.register("before_edit_page")
def warn_about_legal_review(request, page):
    """Editors and reviewers opening a lesson see that its legal content awaits a lawyer's check."""
    if not isinstance(page.specific, LessonPage):
        return None
    review = legal_review_for_lesson(lesson_key=page.translation_key)
    if review is not None:
        language = "mn" if (get_language() or "mn").startswith("mn") else "en"  # the admin's language
        messages.warning(
            request,
            _("Needs legal review: %(note)s") % {"note": review.note(language)},
        )
    return None


@hooks.register("register_snippet_listing_buttons")
def release_legal_review_button(snippet, user, next_url=None):
    if isinstance(snippet, CourseRelease):
        yield ListingButton(
            _("Legal review"),
            reverse("curricula_admin:release_legal_review", args=[snippet.pk]),
            icon_name="warning",
            priority=20,
        )
