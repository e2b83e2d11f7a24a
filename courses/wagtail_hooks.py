"""Course releases in the Wagtail admin: prepared by editors, approved by reviewers, then frozen."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, Panel
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, SnippetViewSet

from . import admin_urls
from .models import CourseRelease


class ReleaseChangesPanel(Panel):
    """What this release changes since the current one, with text diffs and stale translations."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "courses/admin/release_changes_panel.html"

        def get_context_data(self, parent_context=None):
            from .selectors import release_changes

            context = super().get_context_data(parent_context)
            release = self.instance
            context["changes"] = (
                release_changes(course=release.course, release=release) if release.course_id else None
            )
            return context


class CourseReleaseEditView(EditView):
    """A published release is frozen: its page shows what it contains, never an edit form."""

    def dispatch(self, request, *args, **kwargs):
        release = CourseRelease.objects.filter(pk=kwargs.get("pk")).first()
        if release is not None and release.published_at is not None and request.method == "POST":
            messages.error(
                request, _("A published release cannot be changed. Prepare a new release instead.")
            )
            return redirect("courses_admin:release", release.pk)
        if release is not None and release.published_at is not None:
            return redirect("courses_admin:release", release.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_success_message(self, instance=None):
        """Say what happened to the release: approved and published, sent back, published."""
        if self.action == "workflow-action":
            release = CourseRelease.objects.filter(pk=self.object.pk).first()
            name = {"release": str(release or self.object)}
            if self.workflow_action == "approve":
                if release is not None and release.is_published:
                    return _("Course release “%(release)s” approved and published.") % name
                return _("Course release “%(release)s” approved; it waits for the next review step.") % name
            if self.workflow_action == "reject":
                return (
                    _("Course release “%(release)s” sent back to the editor with changes requested.") % name
                )
        if self.action == "publish":
            return _("Course release “%(release)s” published.") % {"release": str(self.object)}
        return super().get_success_message(instance)


class CourseReleaseViewSet(SnippetViewSet):
    model = CourseRelease
    icon = "history"
    menu_label = _("Course releases")
    menu_order = 240
    add_to_admin_menu = True
    list_display = ["__str__", "version", "policy", "published_at", "state"]
    list_filter = ["course", "is_current"]
    edit_view_class = CourseReleaseEditView
    panels = [
        FieldPanel("course", widget=forms.Select),  # a handful of courses: a list beats a page chooser
        FieldPanel("version"),
        FieldPanel("notes_mn"),
        FieldPanel("notes_en"),
        FieldPanel("policy", widget=forms.RadioSelect),
        FieldPanel("source_release"),
        ReleaseChangesPanel(heading=_("What changes")),
    ]


register_snippet(CourseReleaseViewSet)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("releases/", include((admin_urls, "courses_admin")))]


@hooks.register("register_snippet_listing_buttons")
def release_buttons(snippet, user, next_url=None):
    if isinstance(snippet, CourseRelease):
        yield ListingButton(
            _("What it contains"),
            reverse("courses_admin:release", args=[snippet.pk]),
            icon_name="view",
            priority=10,
        )


@hooks.register("before_delete_page")
def keep_released_lessons(request, page):
    """Deleting a released lesson would take it from learners on that release: unpublish it instead."""
    from .selectors import page_is_in_a_release

    if page_is_in_a_release(page):
        messages.error(
            request,
            _(
                "“%(title)s” is part of a published course version that learners may still be on, so it "
                "cannot be deleted. Unpublish it instead: it leaves the next version and stays readable "
                "for learners on earlier ones."
            )
            % {"title": page.get_admin_display_title()},
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_serve_document")
def documents_follow_the_access_decision(document, request):
    """A document used only in restricted courses is for their audiences (``restricted_files_sync``)."""
    from lms.storage import is_restricted_name

    from .models import RestrictedFile
    from .selectors import file_access

    file_access(
        user=request.user,
        kind=RestrictedFile.Kind.DOCUMENT,
        object_id=document.pk,
        stored_private=is_restricted_name(document.file.name),
    ).enforce()
