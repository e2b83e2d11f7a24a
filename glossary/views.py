"""The glossary page: every term with its definition, in the reader's language."""

from django.shortcuts import render
from django.utils.translation import get_language

from .selectors import glossary_for


def glossary_index(request):
    language = (get_language() or "mn").split("-")[0]
    return render(request, "glossary/index.html", {"terms": glossary_for(language)})
