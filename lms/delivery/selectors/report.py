"""Club delivery figures for the programme's reports, counted by the database.

Definitions (also shown on the page):
- **Clubs active**: clubs that logged at least one session in the period.
- **Sessions delivered**: sessions logged in the period.
- **Children reached**: the membership of each active club, counted once per club and term (the
  terms of its sessions in the period), never once per session. A club whose membership was not
  recorded for a term reaches nobody that term (the table says how many such club-terms there are).
- **Attendance rate**: children who attended the sessions, divided by the club's membership at each
  of those sessions (sessions of club-terms with a membership only).
- **Review meetings held**: meetings not cancelled that started in the period (and have started);
  **attendances**: facilitators present at them. Meetings have a kit and a district, but no
  organisation: the organisation-type filter and breakdown do not apply to them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.accounts.models import Organisation, Region
from lms.reports.periods import fiscal_quarter, quarter_label
from lms.reports.selectors import suppressed  # noqa: F401 - the reports' own small-count rule

from ..models import MEMBERSHIP_FIELDS, Club, ClubMembership, DeliveryTarget, Kit, ReviewMeeting, SessionLog

BREAKDOWNS = {
    "quarter": _("Fiscal quarter"),
    "region": _("Aimag or district"),
    "organisation_kind": _("Organisation type"),
    "kit": _("Kit"),
}


@dataclass(frozen=True)
class DeliveryFilters:
    start: dt.date | None = None
    end: dt.date | None = None
    kit: Kit | None = None
    region: Region | None = None
    organisation_kind: str = ""
    suppress: bool = False


def sessions(filters: DeliveryFilters):
    """The sessions the report counts."""
    qs = SessionLog.objects.all()
    if filters.start:
        qs = qs.filter(held_on__gte=filters.start)
    if filters.end:
        qs = qs.filter(held_on__lte=filters.end)
    if filters.kit:
        qs = qs.filter(club__kit=filters.kit)
    if filters.region:
        qs = qs.filter(club__region=filters.region)
    if filters.organisation_kind:
        qs = qs.filter(club__organisation__kind=filters.organisation_kind)
    return qs


def meetings(filters: DeliveryFilters):
    """The review meetings held in the period (not cancelled, started)."""
    qs = ReviewMeeting.objects.filter(status=ReviewMeeting.Status.SCHEDULED, starts_at__lte=timezone.now())
    if filters.start:
        qs = qs.filter(starts_at__gte=_midnight(filters.start))
    if filters.end:
        qs = qs.filter(starts_at__lt=_midnight(filters.end + dt.timedelta(days=1)))
    if filters.kit:
        qs = qs.filter(kit=filters.kit)
    if filters.region:
        qs = qs.filter(region=filters.region)
    return qs


def _midnight(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _quarter_key(year: int, month: int) -> str:
    fiscal_year, quarter = fiscal_quarter(dt.date(year, month, 1))
    return f"FY{fiscal_year}-Q{quarter}"


@dataclass
class Figures:
    """The delivery figures of one group (a kit, a district, a quarter… or everything)."""

    key: object = None
    label: str = ""
    clubs_registered: int | None = 0
    sessions: int = 0
    clubs: set = field(default_factory=set)
    pairs: dict = field(default_factory=dict)  # (club, term) -> [sessions, children attending]
    girls: int = 0
    boys: int = 0
    missing_membership: int = 0
    attended_with_membership: int = 0
    places_with_membership: int = 0
    meetings_held: int | None = 0
    meeting_attendances: int | None = 0
    meeting_invited: int | None = 0

    @property
    def clubs_active(self) -> int:
        return len(self.clubs)

    @property
    def children(self) -> int:
        return self.girls + self.boys

    @property
    def attendance_rate(self) -> float | None:
        if not self.places_with_membership:
            return None
        return round(self.attended_with_membership / self.places_with_membership, 4)

    def add_session_row(self, club: int, term: int, count: int, attended: int) -> None:
        self.sessions += count
        self.clubs.add(club)
        pair = self.pairs.setdefault((club, term), [0, 0])
        pair[0] += count
        pair[1] += attended

    def settle(self, memberships: dict) -> None:
        """Count the members of each club-term once, and the attendance against them."""
        for pair, (count, attended) in self.pairs.items():
            members = memberships.get(pair)
            if members is None:
                self.missing_membership += 1
                continue
            girls, boys = members
            self.girls += girls
            self.boys += boys
            self.attended_with_membership += attended
            self.places_with_membership += count * (girls + boys)


def _labels(by: str) -> dict:
    if by == "kit":
        return {kit.pk: kit.name for kit in Kit.objects.all()}
    if by == "region":
        return {region.pk: region.name for region in Region.objects.all()}
    if by == "organisation_kind":
        return dict(Organisation.Kind.choices)
    return {}


def delivery_figures(filters: DeliveryFilters, by: str | None = None) -> tuple[Figures, list[Figures]]:
    """The totals and one row per group of ``by`` (a breakdown key)."""
    total, tables = delivery_breakdowns(filters, (by,) if by else ())
    return total, tables.get(by, [])


def delivery_breakdowns(filters: DeliveryFilters, bys=()) -> tuple[Figures, dict[str, list[Figures]]]:
    """The totals and a table per breakdown in ``bys``, from one pass over the sessions (grouped by
    club, term, kit, district, organisation type and month): five queries, however many sessions."""
    for by in bys:
        if by not in BREAKDOWNS:
            raise ValueError(by)
    rows = (
        sessions(filters)
        .annotate(year=ExtractYear("held_on"), month=ExtractMonth("held_on"))
        .values("club", "term", "club__kit", "club__region", "club__organisation__kind", "year", "month")
        .annotate(n=Count("id"), girls=Sum("girls"), boys=Sum("boys"))
        .order_by()
    )
    total = Figures(key=None, label=str(_("All")))
    groups: dict[str, dict] = {by: {} for by in bys}
    for row in rows:
        attended = (row["girls"] or 0) + (row["boys"] or 0)
        total.add_session_row(row["club"], row["term"], row["n"], attended)
        for by in bys:
            key = _group_key(by, row)
            groups[by].setdefault(key, Figures(key=key)).add_session_row(
                row["club"], row["term"], row["n"], attended
            )
    memberships = _memberships(set(total.pairs))
    total.settle(memberships)
    for by_groups in groups.values():
        for figures in by_groups.values():
            figures.settle(memberships)
    _add_registered(filters, total, groups)
    _add_meetings(filters, total, groups)
    return total, {by: _ordered(by, by_groups) for by, by_groups in groups.items()}


def _ordered(by: str, groups: dict) -> list[Figures]:
    labels = _labels(by)
    for key, figures in groups.items():
        if by == "quarter":
            figures.label = quarter_label(int(key[2:6]), int(key[-1]))
        else:
            figures.label = str(labels.get(key, _("Not stated")))
    if by == "quarter":
        return sorted(groups.values(), key=lambda f: f.key)
    return sorted(groups.values(), key=lambda f: (-f.sessions, -(f.clubs_registered or 0), f.label))


def _group_key(by: str, row: dict):
    if by == "quarter":
        return _quarter_key(row["year"], row["month"])
    return row[
        {"kit": "club__kit", "region": "club__region", "organisation_kind": "club__organisation__kind"}[by]
    ]


def _memberships(pairs: set) -> dict:
    """(club, term) -> (girls, boys) for the pairs asked about (one query)."""
    if not pairs:
        return {}
    clubs = {club for club, _term in pairs}
    terms = {term for _club, term in pairs}
    found = {}
    for row in ClubMembership.objects.filter(club__in=clubs, term__in=terms).values(
        "club", "term", *MEMBERSHIP_FIELDS
    ):
        if (row["club"], row["term"]) in pairs:
            girls = sum(value for name, value in row.items() if name.startswith("girls_"))
            boys = sum(value for name, value in row.items() if name.startswith("boys_"))
            found[(row["club"], row["term"])] = (girls, boys)
    return found


def registered_clubs(filters: DeliveryFilters):
    """Clubs registered by the end of the period and not closed before its start."""
    clubs = Club.objects.all()
    if filters.end:
        clubs = clubs.filter(created_at__lt=_midnight(filters.end + dt.timedelta(days=1)))
    if filters.start:
        clubs = clubs.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=filters.start))
    if filters.kit:
        clubs = clubs.filter(kit=filters.kit)
    if filters.region:
        clubs = clubs.filter(region=filters.region)
    if filters.organisation_kind:
        clubs = clubs.filter(organisation__kind=filters.organisation_kind)
    return clubs


_CLUB_PATHS = {"kit": "kit", "region": "region", "organisation_kind": "organisation__kind"}


def _add_registered(filters: DeliveryFilters, total: Figures, groups: dict[str, dict]) -> None:
    """Clubs registered, per kit, district and organisation type at once (a club is registered
    once, not per quarter: the quarter rows leave it empty)."""
    rows = list(
        registered_clubs(filters)
        .values("kit", "region", "organisation__kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    total.clubs_registered = sum(row["n"] for row in rows)
    for by, by_groups in groups.items():
        if by == "quarter":
            for figures in by_groups.values():
                figures.clubs_registered = None
            continue
        counts: dict = {}
        for row in rows:
            key = row[_CLUB_PATHS[by]]
            counts[key] = counts.get(key, 0) + row["n"]
        for key in counts:
            by_groups.setdefault(key, Figures(key=key))
        for key, figures in by_groups.items():
            figures.clubs_registered = counts.get(key, 0)


def _add_meetings(filters: DeliveryFilters, total: Figures, groups: dict[str, dict]) -> None:
    rows = list(
        meetings(filters)
        .values("pk", "kit", "region", "starts_at")
        .annotate(
            attended=Count("participants", filter=Q(participants__attended_at__isnull=False)),
            invited=Count("participants", filter=Q(participants__invited_at__isnull=False)),
        )
        .order_by()
    )
    total.meetings_held = len(rows)
    total.meeting_attendances = sum(row["attended"] for row in rows)
    total.meeting_invited = sum(row["invited"] for row in rows)
    for by, by_groups in groups.items():
        if by == "organisation_kind":  # meetings belong to a kit and a district, not to an organisation
            for figures in by_groups.values():
                figures.meetings_held = figures.meeting_attendances = figures.meeting_invited = None
            continue
        for figures in by_groups.values():
            figures.meetings_held = figures.meeting_attendances = figures.meeting_invited = 0
        for row in rows:
            if by == "quarter":
                local = timezone.localtime(row["starts_at"])
                key = _quarter_key(local.year, local.month)
            else:
                key = row[by]
            figures = by_groups.get(key)
            if figures is None:
                figures = by_groups[key] = Figures(key=key, clubs_registered=0 if by != "quarter" else None)
            figures.meetings_held += 1
            figures.meeting_attendances += row["attended"]
            figures.meeting_invited += row["invited"]


@dataclass
class TargetProgress:
    target: DeliveryTarget
    clubs_active: int
    children: int

    @property
    def clubs_share(self) -> float | None:
        return round(self.clubs_active / self.target.clubs, 4) if self.target.clubs else None

    @property
    def children_share(self) -> float | None:
        return round(self.children / self.target.children, 4) if self.target.children else None


def target_progress(filters: DeliveryFilters) -> list[TargetProgress]:
    """Targets overlapping the period (all, without one), each with what was delivered in its own
    window (clubs active, children reached), whatever the other filters."""
    targets = DeliveryTarget.objects.select_related("kit").order_by("start", "kit__sort_order", "pk")
    if filters.kit:
        targets = targets.filter(kit=filters.kit)
    if filters.start:
        targets = targets.filter(end__gte=filters.start)
    if filters.end:
        targets = targets.filter(start__lte=filters.end)
    result = []
    for target in targets:
        total, _rows = _target_totals(DeliveryFilters(start=target.start, end=target.end, kit=target.kit))
        result.append(TargetProgress(target=target, clubs_active=total.clubs_active, children=total.children))
    return result


def _target_totals(filters: DeliveryFilters) -> tuple[Figures, list]:
    rows = (
        sessions(filters)
        .values("club", "term")
        .annotate(n=Count("id"), girls=Sum("girls"), boys=Sum("boys"))
        .order_by()
    )
    total = Figures()
    for row in rows:
        total.add_session_row(row["club"], row["term"], row["n"], (row["girls"] or 0) + (row["boys"] or 0))
    total.settle(_memberships(set(total.pairs)))
    return total, []
