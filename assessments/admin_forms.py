"""The quiz form in the Wagtail admin: the model's own checks, plus the pre-/post-test pairing."""

from __future__ import annotations

from wagtail.admin.forms import WagtailAdminModelForm

from . import pairing
from .models import Quiz


class QuizForm(WagtailAdminModelForm):
    """Refuses a post-test that could show a question of its pre-test (and the reverse), naming
    the shared questions, before anything is saved."""

    def _chosen(self, relation: str, field: str) -> frozenset[int] | None:
        """The ids chosen in an inline panel, deleted rows left out; None while it has errors."""
        formset = self.formsets.get(relation)
        if formset is None:
            return frozenset()
        if not formset.is_valid():
            return None  # the rows' own errors come first
        return frozenset(
            form.cleaned_data[field].pk
            for form in formset.forms
            if form.cleaned_data.get(field) and not form.cleaned_data.get("DELETE")
        )

    def clean(self):
        cleaned = super().clean()
        kind, pre_test = cleaned.get("kind"), cleaned.get("pre_test")
        if kind not in (Quiz.Kind.PRE_TEST, Quiz.Kind.POST_TEST):
            return cleaned
        questions = self._chosen("fixed_questions", "question")
        categories = self._chosen("random_rules", "category")
        if questions is None or categories is None:
            return cleaned
        # The quiz as it is about to be saved, for its pairing only (nothing is written).
        candidate = Quiz(pk=self.instance.pk, kind=kind, pre_test=pre_test)
        overlaps = pairing.pair_overlaps(
            quiz=candidate, sources=pairing.QuestionSources(questions=questions, categories=categories)
        )
        # On the whole form: an error on the pre-test field would drop its value from the form,
        # and the model would then complain that a post-test needs a pre-test.
        for message in pairing.errors_for(overlaps, kind=kind):
            self.add_error(None, message)
        return cleaned
