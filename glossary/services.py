"""Writing glossary terms: the curriculum loader's upsert (editors use the admin)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from lms.home.services import edited_by_a_person

from .models import Term

FIELDS = (
    "term_mn",
    "term_en",
    "definition_mn",
    "definition_en",
    "forms_mn",
    "forms_en",
    "variants_mn",
    "variants_en",
)


@dataclass
class UpsertResult:
    term: Term
    created: bool = False
    changed: bool = False
    kept: bool = False  # changed by an editor in the admin: left as they made it


@transaction.atomic
def term_upsert(*, slug: str, values: dict[str, str]) -> UpsertResult:
    """Create or update a term by slug from shipped content; never overwrite an editor's change."""
    term = Term.objects.filter(slug=slug).first()
    if term is not None and edited_by_a_person(term):
        return UpsertResult(term=term, kept=True)
    created = term is None
    term = term or Term(slug=slug)
    before = {name: getattr(term, name) for name in FIELDS}
    for name in FIELDS:
        setattr(term, name, values.get(name, ""))
    if not created and before == {name: getattr(term, name) for name in FIELDS}:
        return UpsertResult(term=term)
    term.full_clean()
    term.save()
    term.save_revision(log_action=False)
    return UpsertResult(term=term, created=created, changed=True)
