"""Writes about people."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import AccessRequest, AuditEvent, Invitation, InvitationUse, Organisation, Region, User

PROFILE_FIELDS = ("full_name", "role", "region", "organisation", "sex", "birth_year")


@transaction.atomic
def profile_update(
    *,
    user: User,
    by: User | None = None,
    full_name: str,
    role: str,
    region: Region | None,
    organisation: Organisation | None = None,
    sex: str = User.Sex.NOT_STATED,
    birth_year: int | None = None,
) -> User:
    """Store a person's profile; an organisation implies its region when none is given."""
    if organisation is not None and region is None:
        region = organisation.region
    user.full_name = full_name
    user.role = role
    user.region = region
    user.organisation = organisation
    user.sex = sex
    user.birth_year = birth_year
    user.save(update_fields=list(PROFILE_FIELDS))
    audit_record(action="user.profile_updated", actor=by or user, subject=user)
    return user


# --- demo data (demo mode only) --------------------------------------------------------------

DEMO_ORGANISATIONS = [
    # (name_mn, name_en, kind, region code)
    (
        "Сонгинохайрхан дүүргийн 67-р сургууль",
        "School No. 67, Songinokhairkhan",
        Organisation.Kind.SCHOOL,
        "songinokhairkhan",
    ),
    (
        "Баянзүрх дүүргийн Политехник коллеж",
        "Bayanzurkh Polytechnic College",
        Organisation.Kind.TVET,
        "bayanzurkh",
    ),
    (
        "Чингэлтэй дүүргийн цагдаагийн хэлтэс",
        "Chingeltei District Police Department",
        Organisation.Kind.POLICE,
        "chingeltei",
    ),
    (
        "Баянгол дүүргийн прокурорын газар",
        "Bayangol District Prosecutor's Office",
        Organisation.Kind.PROSECUTOR,
        "bayangol",
    ),
    (
        "Сүхбаатар дүүргийн хүүхэд хамгааллын байр",
        "Sukhbaatar District Child Shelter",
        Organisation.Kind.SHELTER,
        "ub-sukhbaatar",
    ),
    (
        "Өмнөговь аймгийн Ханбогд сумын сургууль",
        "Khanbogd School, Umnugobi",
        Organisation.Kind.SCHOOL,
        "umnugovi",
    ),
]

DEMO_ACCOUNTS = [
    # (email, full name, role, organisation index, sex, birth year, groups, superuser)
    (
        "teacher@demo.cpclearn.mn",
        "Батцэцэг Дорж",
        User.Role.TEACHER,
        0,
        User.Sex.FEMALE,
        1988,
        ["Learners"],
        False,
    ),
    (
        "investigator@demo.cpclearn.mn",
        "Ганбаатар Болд",
        User.Role.POLICE_INVESTIGATOR,
        2,
        User.Sex.MALE,
        1985,
        ["Learners", "Justice-sector learners"],
        False,
    ),
    (
        "editor@demo.cpclearn.mn",
        "Сарангэрэл Энх",
        User.Role.OTHER,
        None,
        User.Sex.FEMALE,
        1990,
        ["Curriculum editors"],
        False,
    ),
    (
        "reviewer@demo.cpclearn.mn",
        "Отгонбаяр Цэрэн",
        User.Role.OTHER,
        None,
        User.Sex.MALE,
        1979,
        ["Curriculum reviewers"],
        False,
    ),
    (
        "manager@demo.cpclearn.mn",
        "Номин Мөнх",
        User.Role.OTHER,
        None,
        User.Sex.FEMALE,
        1983,
        ["Programme managers"],
        False,
    ),
    (
        "admin@demo.cpclearn.mn",
        "CPC Learn Admin",
        User.Role.OTHER,
        None,
        User.Sex.NOT_STATED,
        None,
        ["Administrators"],
        True,
    ),
]


@transaction.atomic
def demo_accounts_ensure(*, password: str) -> list[tuple[User, bool]]:
    """Create the demo organisations and accounts that do not exist yet; existing ones are untouched."""
    from allauth.account.models import EmailAddress

    from .roles import roles_ensure

    groups = roles_ensure()
    organisations = []
    for name_mn, name_en, kind, region_code in DEMO_ORGANISATIONS:
        region = Region.objects.get(code=region_code)
        organisation, _created = Organisation.objects.get_or_create(
            name_mn=name_mn, region=region, defaults={"name_en": name_en, "kind": kind}
        )
        organisations.append(organisation)
    accounts = []
    for email, full_name, role, org_index, sex, birth_year, group_names, superuser in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is not None:
            accounts.append((user, False))
            continue
        organisation = organisations[org_index] if org_index is not None else None
        user = User.objects.create_user(
            email=email,
            password=password,
            full_name=full_name,
            role=role,
            organisation=organisation,
            region=organisation.region if organisation else None,
            sex=sex,
            birth_year=birth_year,
            is_staff=superuser,
            is_superuser=superuser,
        )
        user.groups.set([groups[name] for name in group_names])
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        accounts.append((user, True))
    return accounts


# --- audit log -----------------------------------------------------------------------------------


def audit_record(*, action: str, actor=None, subject=None, obj=None, **details) -> AuditEvent:
    """Write one audit event: who (actor) changed what (obj) about whom (subject)."""
    from django.utils import timezone

    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        subject=subject,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        details={key: value for key, value in details.items() if value is not None},
    )


def groups_change_record(*, user: User, actor, before: set[str], how: str) -> list[str]:
    """Audit every group a person joined or left (compared with ``before``); the actions written."""
    after = set(user.groups.values_list("name", flat=True))
    written = []
    for name in sorted(after - before):
        audit_record(action="group.granted", actor=actor, subject=user, group=name, how=how)
        written.append(f"+{name}")
    for name in sorted(before - after):
        audit_record(action="group.removed", actor=actor, subject=user, group=name, how=how)
        written.append(f"-{name}")
    return written


@transaction.atomic
def staff_created_account_confirm(*, user: User, actor) -> None:
    """An account an administrator made in the admin can sign in: its email address counts as
    confirmed (the administrator vouches for it), and that is in the audit log."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(primary=False)
    address, _created = EmailAddress.objects.update_or_create(
        user=user, email=user.email.lower(), defaults={"verified": True, "primary": True}
    )
    audit_record(action="email.confirmed_by_staff", actor=actor, subject=user, obj=address)


# --- invitations and access requests ---------------------------------------------------------------


class AccessError(Exception):
    """A refused invitation or request; the message never says whether a code exists."""

    status = 400

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def grantable_groups():
    """Groups an invitation or request may grant: audiences, never staff roles (they carry permissions)."""
    return Group.objects.filter(permissions__isnull=True).order_by("name")


def _grant(*, user: User, group, actor, how: str, obj) -> bool:
    """Add a person to a group (logged); False when they already were in it."""
    if user.groups.filter(pk=group.pk).exists():
        return False
    user.groups.add(group)
    audit_record(action="group.granted", actor=actor, subject=user, obj=obj, group=group.name, how=how)
    return True


def invitation_code() -> str:
    """An unguessable code (60 random bits), easy to read aloud: 12 characters without look-alikes."""
    import secrets

    alphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@transaction.atomic
def invitation_create(*, group, expires_at, max_uses: int = 1, note: str = "", by=None) -> Invitation:
    from django.utils.translation import gettext as _

    if not grantable_groups().filter(pk=group.pk).exists():
        raise AccessError(_("An invitation can only grant a group without staff permissions."))
    invitation = Invitation.objects.create(
        code=invitation_code(),
        group=group,
        expires_at=expires_at,
        max_uses=max_uses,
        note=note,
        created_by=by,
    )
    audit_record(action="invitation.created", actor=by, obj=invitation, group=group.name, max_uses=max_uses)
    return invitation


def _normalise_code(text: str) -> str:
    compact = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}" if len(compact) == 12 else ""


@transaction.atomic
def invitation_redeem(*, user: User, code: str) -> Invitation:
    """Join the invitation's group. Unknown, expired, revoked and used-up codes get one answer."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    invalid = AccessError(_("This invitation code is not valid. Check it, or ask the person who sent it."))
    code = _normalise_code(code)
    invitation = Invitation.objects.select_for_update().filter(code=code).first() if code else None
    if invitation is None or not invitation.is_usable:
        raise invalid
    if InvitationUse.objects.filter(invitation=invitation, user=user).exists():
        raise invalid
    InvitationUse.objects.create(invitation=invitation, user=user, used_at=timezone.now())
    Invitation.objects.filter(pk=invitation.pk).update(uses=invitation.uses + 1)
    _grant(user=user, group=invitation.group, actor=user, how="invitation", obj=invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(revoked=True)
    audit_record(action="invitation.revoked", actor=by, obj=invitation)


def access_request_create(*, user: User, group, message: str = "") -> AccessRequest:
    from django.db import IntegrityError
    from django.utils.translation import gettext as _

    if not grantable_groups().filter(pk=group.pk).exists():
        raise AccessError(_("That access cannot be requested."))
    if user.groups.filter(pk=group.pk).exists():
        raise AccessError(_("You already have this access."))
    try:
        with transaction.atomic():
            request = AccessRequest.objects.create(user=user, group=group, message=message.strip()[:1000])
    except IntegrityError:
        raise AccessError(_("Your request is already waiting for a decision.")) from None
    audit_record(action="access_request.created", actor=user, subject=user, obj=request, group=group.name)
    return request


@transaction.atomic
def access_request_decide(*, request: AccessRequest, approve: bool, by, note: str = "") -> AccessRequest:
    """Approve (the person joins the group) or refuse a pending request; logged either way."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    request = AccessRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != AccessRequest.Status.PENDING:
        raise AccessError(_("This request was already decided."))
    request.status = AccessRequest.Status.APPROVED if approve else AccessRequest.Status.REFUSED
    request.decided_by, request.decided_at, request.decision_note = by, timezone.now(), note.strip()[:500]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        action="access_request.approved" if approve else "access_request.refused",
        actor=by,
        subject=request.user,
        obj=request,
        group=request.group.name,
        note=request.decision_note or None,
    )
    if approve:
        _grant(user=request.user, group=request.group, actor=by, how="request", obj=request)
    return request


# --- personal data -----------------------------------------------------------------------------------


def personal_data_export(*, user: User) -> dict:
    """Everything stored about a person, as JSON-ready data (the apps above add their parts)."""
    from . import personal_data

    data = {
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "role": user.role,
            "organisation": user.organisation.name if user.organisation else None,
            "region": user.region.name if user.region else None,
            "sex": user.sex,
            "birth_year": user.birth_year,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "groups": list(user.groups.values_list("name", flat=True)),
        },
        "access_requests": [
            {
                "group": r.group.name,
                "message": r.message,
                "status": r.status,
                "asked_at": r.created_at.isoformat(),
                "decided_at": r.decided_at.isoformat() if r.decided_at else None,
            }
            for r in user.access_requests.select_related("group")
        ],
        "invitations_used": [
            {"group": use.invitation.group.name, "used_at": use.used_at.isoformat()}
            for use in InvitationUse.objects.filter(user=user).select_related("invitation__group")
        ],
        "audit_log": [
            {"at": e.at.isoformat(), "action": e.action, "details": e.details}
            for e in AuditEvent.objects.filter(subject=user)[:1000]
        ],
    }
    for name, export in personal_data.exporters().items():
        data[name] = export(user)
    return data


@transaction.atomic
def account_anonymise(*, user: User, by=None) -> None:
    """Erase what identifies a person; keep their role, region, organisation, sex and birth-year band,
    and their enrolments and results, so aggregate counts stay intact. They can no longer sign in."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from . import personal_data

    audit_record(action="user.anonymised", actor=by or user, subject=user)
    for erase in personal_data.erasers().values():
        erase(user)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    AccessRequest.objects.filter(user=user).update(message="")
    user.email = f"deleted-{user.pk}@invalid.cpclearn.mn"
    user.full_name = ""
    user.birth_year = (user.birth_year // 5) * 5 if user.birth_year else None
    user.is_active = False
    user.set_unusable_password()  # also ends every session: Django checks the password hash per session
    user.save()


# --- bulk loads (generated scale data, imports): rows already consistent, no audit, no email ---


def organisations_bulk_create(rows: list[Organisation]) -> list[Organisation]:
    """Insert organisations in batches; returns them with their ids."""
    return Organisation.objects.bulk_create(rows, batch_size=5000)


def people_bulk_create(people: list[User], *, group_name: str | None = None, in_group=None) -> list[User]:
    """Insert people in batches (unusable passwords are the caller's choice); those ``in_group``
    picks (a predicate on the person) join the group ``group_name``. Returns them with their ids."""
    people = User.objects.bulk_create(people, batch_size=5000)
    group = Group.objects.filter(name=group_name).first() if group_name else None
    if group is not None:
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=p.pk, group_id=group.pk) for p in people if in_group is None or in_group(p)],
            batch_size=10000,
        )
    return people


def people_bulk_remove(people) -> int:
    """Delete people (a queryset) with what is theirs in this app; the apps above remove their own
    rows first. Returns the rows deleted."""
    count, _ = people.delete()
    return count


def organisations_bulk_remove(organisations) -> int:
    count, _ = organisations.delete()
    return count


def generated_person_ensure(*, email: str, full_name: str) -> User:
    """A made-up person who cannot sign in (generated data's organiser, say): found or created."""
    person, _created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "password": "!"}
    )
    return person
