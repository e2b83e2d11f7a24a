"""What club delivery needs before the first club: the shipped kits and the school terms."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale

from courses.models import CoursePage

from ..models import Kit, Term

# The three Children and Youth club kits shipped in curricula/ (course slug, Mongolian, English).
SHIPPED_KITS = [
    ("smart-navigator", "Ухаалаг хөтөч", "Smart Navigator"),
    ("voice-up-for-change", "Өөрчлөлтийн төлөө дуу хоолойгоо өргөе", "Voice Up for Change"),
    ("keeping-children-safe-online", "Хүүхдийг онлайн орчинд хамгаалах", "Keeping Children Safe Online"),
]


@transaction.atomic
def kits_ensure() -> list[tuple[Kit, bool]]:
    """Register the shipped kits whose course is loaded; a kit that exists is left as it is."""
    locale = Locale.get_default()
    result = []
    for order, (slug, name_mn, name_en) in enumerate(SHIPPED_KITS, start=1):
        course = CoursePage.objects.filter(slug=slug, locale=locale).first()
        if course is None:
            continue
        kit = Kit.objects.filter(course=course).first()
        if kit is not None:
            result.append((kit, False))
            continue
        result.append(
            (Kit.objects.create(course=course, name_mn=name_mn, name_en=name_en, sort_order=order), True)
        )
    return result


def school_year_terms(first_year: int) -> list[tuple[dt.date, dt.date, str, str]]:
    """The two terms of the school year starting in September of ``first_year``: September to
    January and February to August (the summer belongs to the second, so every day has a term)."""
    label = f"{first_year}–{first_year + 1}"
    return [
        (
            dt.date(first_year, 9, 1),
            dt.date(first_year + 1, 1, 31),
            f"{label} оны хичээлийн жил, I улирал",
            f"{label}, term 1",
        ),
        (
            dt.date(first_year + 1, 2, 1),
            dt.date(first_year + 1, 8, 31),
            f"{label} оны хичээлийн жил, II улирал",
            f"{label}, term 2",
        ),
    ]


@transaction.atomic
def terms_ensure(*, today: dt.date | None = None, years_back: int = 2) -> list[tuple[Term, bool]]:
    """Add the default terms from ``years_back`` school years ago to next year, where no term covers
    those days yet (terms staff made are never changed)."""
    today = today or timezone.localdate()
    current = today.year if today.month >= 9 else today.year - 1
    result = []
    for year in range(current - years_back, current + 2):
        for start, end, name_mn, name_en in school_year_terms(year):
            existing = Term.objects.filter(start__lte=end, end__gte=start).first()
            if existing is not None:
                result.append((existing, False))
                continue
            result.append((Term.objects.create(start=start, end=end, name_mn=name_mn, name_en=name_en), True))
    return result
