"""The H5P activity screens in the Wagtail admin: upload (create), replace the file (edit),
and the results of an activity. Thin: the import itself is ``services.activity_import``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.snippets.views.snippets import CreateView, EditView

from . import selectors, services
from .models import H5PActivity, H5PAttempt

RESULTS_PERMISSION = "assessments.change_h5pactivity"
OPTION_FIELDS = ("pass_mark", "completion_rule", "grading_method", "graded")


class H5PActivityForm(WagtailAdminModelForm):
    package_file = forms.FileField(
        label=_("H5P package (.h5p)"),
        required=False,
        help_text=_(
            "A package exported from Lumi or h5p.org. Packages that bring new library code can only be "
            "uploaded by staff allowed to install H5P libraries."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".h5p"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "completion_rule" in self.fields:
            self.fields["completion_rule"].choices = [
                ("", _("Suggested for its content type")),
                *H5PActivity.CompletionRule.choices,
            ]
        creating = self.instance.pk is None
        self.fields["package_file"].required = creating
        if creating:
            self.fields["title"].required = False
            self.fields["title"].help_text = _("Leave empty to use the title inside the package.")
        else:
            self.fields["package_file"].label = _("Replace the package (.h5p)")
            self.fields["package_file"].help_text = _(
                "Upload a corrected version of this activity. Learners' saved places that the content "
                "asked to forget on change are cleared; attempts and results are kept."
            )

    def clean_package_file(self):
        upload = self.cleaned_data.get("package_file")
        if upload and not upload.name.lower().endswith(".h5p"):
            raise forms.ValidationError(_("Choose an .h5p file."))
        return upload


class _ImportMixin:
    """Run the import inside the view's transaction and show refusals on the form."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except services.PackageRefused as error:
            for problem in error.problems:
                form.add_error("package_file", str(problem))
            self.produced_error_message = _("The H5P package was refused: see the reasons below.")
            return self.form_invalid(form)

    def import_package(self, *, activity=None):
        data = self.form.cleaned_data
        imported = services.activity_import(
            source=data["package_file"],
            title=data.get("title") or "",
            user=self.request.user,
            may_install_libraries=self.request.user.has_perm(services.INSTALL_PERMISSION),
            activity=activity,
            **{name: data[name] for name in OPTION_FIELDS if name in data},
        )
        for line in services.media_report(imported.external_hosts):
            messages.warning(self.request, line)
        return imported


class H5PActivityCreateView(_ImportMixin, CreateView):
    def save_instance(self):
        return self.import_package()


class H5PActivityEditView(_ImportMixin, EditView):
    def save_instance(self):
        if self.form.cleaned_data.get("package_file"):
            return self.import_package(activity=self.object)
        if not self.form.instance.completion_rule:
            self.form.instance.completion_rule = services.suggested_rule(self.form.instance)
        return super().save_instance()


def activity_results(request, activity_id: int):
    """Attempts at one activity, and per-question results for containers."""
    if not request.user.has_perm(RESULTS_PERMISSION):
        raise PermissionDenied
    activity = get_object_or_404(H5PActivity, pk=activity_id)
    attempts = selectors.activity_attempts(activity=activity, search=request.GET.get("q", "").strip()[:100])
    page = Paginator(attempts, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "assessments/admin/h5p_results.html",
        {
            "activity": activity,
            "page_obj": page,
            "summary": selectors.activity_summary(activity=activity),
            "questions": selectors.question_summary(activity=activity),
            "errors": selectors.player_errors(activity=activity),
            "filters": request.GET,
        },
    )


def attempt_detail(request, attempt_id: int):
    """One attempt with the answer to every question inside it."""
    if not request.user.has_perm(RESULTS_PERMISSION):
        raise PermissionDenied
    attempt = get_object_or_404(H5PAttempt.objects.select_related("activity", "user"), pk=attempt_id)
    return render(
        request,
        "assessments/admin/h5p_attempt.html",
        {"attempt": attempt, "results": selectors.attempt_question_results(attempt=attempt)},
    )
