"""Writes about people."""

from django.db import transaction

from .models import Organisation, Region, User

PROFILE_FIELDS = ("full_name", "role", "region", "organisation", "sex", "birth_year")


@transaction.atomic
def profile_update(
    *,
    user: User,
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
