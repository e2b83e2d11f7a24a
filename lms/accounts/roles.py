"""The groups people are given, and the model permissions each carries.

Page permissions (who may edit or publish which pages) are granted on the catalogue pages by
``lms.home.services.site_ensure`` once those pages exist.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

LEARNERS = "Learners"
JUSTICE_LEARNERS = "Justice-sector learners"
EDITORS = "Curriculum editors"
REVIEWERS = "Curriculum reviewers"
MANAGERS = "Programme managers"
ADMINISTRATORS = "Administrators"
SAFEGUARDING_LEADS = "Safeguarding leads"

# Group names are identifiers (the code and the data look groups up by them, in English); people
# see these labels instead, in their language (the admin's group list and user form, invitations,
# access requests).
ROLE_LABELS = {
    LEARNERS: _("Learners"),
    JUSTICE_LEARNERS: _("Justice-sector learners"),
    EDITORS: _("Curriculum editors"),
    REVIEWERS: _("Curriculum reviewers"),
    MANAGERS: _("Programme managers"),
    ADMINISTRATORS: _("Administrators"),
    SAFEGUARDING_LEADS: _("Safeguarding leads"),
}
# Wagtail's migrations create these two groups; the roles above replace them (accounts 0004 removes them).
WAGTAIL_DEFAULT_GROUPS = ("Moderators", "Editors")


def role_label(group) -> str:
    """What people see for a group (or a group name): its role label, or its name for other groups."""
    name = getattr(group, "name", group)
    return str(ROLE_LABELS.get(name, name))


# Build and correct the question bank and quizzes (results and regrading need change_quiz).
QUESTION_BANK_EDIT = [
    "assessments.add_question",
    "assessments.change_question",
    "assessments.publish_question",
    "assessments.add_questioncategory",
    "assessments.change_questioncategory",
    "assessments.add_quiz",
    "assessments.change_quiz",
    "assessments.publish_quiz",
]

# Programme reports and rosters (numbers and who is enrolled, never quiz answers) and the targets.
REPORTS = [
    "reports.view_programme_reports",
    "reports.add_target",
    "reports.change_target",
    "reports.delete_target",
    "reports.view_target",
]
# Club delivery (lms.delivery): every club and the delivery report, review meetings and their
# attendance, school terms and delivery targets. Facilitators need no permission: they see their clubs.
DELIVERY_MANAGE = [
    "delivery.view_all_clubs",
    "delivery.manage_review_meetings",
    "delivery.view_kit",
    "delivery.add_term",
    "delivery.change_term",
    "delivery.view_term",
    "delivery.add_deliverytarget",
    "delivery.change_deliverytarget",
    "delivery.delete_deliverytarget",
    "delivery.view_deliverytarget",
]
# The programme's safeguarding lead: receives the alerts facilitators raise, and follows them up.
SAFEGUARDING = [
    "delivery.view_safeguardingalert",
    "delivery.change_safeguardingalert",
    "delivery.receive_safeguarding_alerts",
]
# H5P activities: upload packages whose libraries are installed, set their rules, see results.
H5P_EDIT = [
    "assessments.add_h5pactivity",
    "assessments.change_h5pactivity",
    "assessments.view_h5pactivity",
]
# The glossary: terms, definitions and the renderings the content checker refuses.
GLOSSARY_EDIT = ["glossary.add_term", "glossary.change_term", "glossary.view_term"]
# Lessons marked for legal review: editors see them, reviewers (and administrators) record the check.
LEGAL_REVIEW_VIEW = "curricula.view_legalreview"
LEGAL_REVIEW_CHANGE = "curricula.change_legalreview"
# Installing H5P library code means JavaScript that runs on the site's origin: administrators only.
H5P_INSTALL = "assessments.install_h5plibrary"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    LEARNERS: [],
    JUSTICE_LEARNERS: [],
    EDITORS: [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
        *QUESTION_BANK_EDIT,
        *H5P_EDIT,
        *GLOSSARY_EDIT,
        LEGAL_REVIEW_VIEW,
        "certificates.add_certificatetemplate",
        "certificates.change_certificatetemplate",
        "courses.add_courserelease",
        "courses.change_courserelease",
        "courses.view_courserelease",
    ],
    REVIEWERS: [
        "wagtailadmin.access_admin",
        "wagtailimages.choose_image",
        "wagtaildocs.choose_document",
        "assessments.change_question",
        "assessments.publish_question",
        "assessments.change_quiz",
        "assessments.publish_quiz",
        "courses.change_courserelease",
        "courses.publish_courserelease",
        "courses.view_courserelease",
        "glossary.change_term",
        "glossary.view_term",
        LEGAL_REVIEW_VIEW,
        LEGAL_REVIEW_CHANGE,
    ],
    MANAGERS: ["wagtailadmin.access_admin", *REPORTS, *DELIVERY_MANAGE],
    SAFEGUARDING_LEADS: ["wagtailadmin.access_admin", *SAFEGUARDING],
    ADMINISTRATORS: [
        "wagtailadmin.access_admin",
        *REPORTS,
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
        "accounts.add_organisation",
        "accounts.change_organisation",
        "accounts.view_organisation",
        "accounts.view_region",
        "accounts.add_invitation",
        "accounts.change_invitation",
        "accounts.view_invitation",
        "accounts.change_accessrequest",
        "accounts.view_accessrequest",
        "accounts.view_auditevent",
        *QUESTION_BANK_EDIT,
        "certificates.change_certificate",
        "certificates.view_certificate",
        "courses.add_courserelease",
        "courses.change_courserelease",
        "courses.publish_courserelease",
        "courses.view_courserelease",
        "certificates.add_certificatetemplate",
        "certificates.change_certificatetemplate",
        "assessments.delete_question",
        "assessments.delete_quiz",
        *H5P_EDIT,
        "assessments.delete_h5pactivity",
        H5P_INSTALL,
        *DELIVERY_MANAGE,
        "delivery.add_kit",
        "delivery.change_kit",
        "delivery.delete_term",
        "delivery.view_safeguardingalert",
        *GLOSSARY_EDIT,
        "glossary.delete_term",
        LEGAL_REVIEW_VIEW,
        LEGAL_REVIEW_CHANGE,
    ],
}


@transaction.atomic
def roles_ensure() -> dict[str, Group]:
    """Create the role groups if missing and give each exactly its permissions."""
    groups = {}
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permissions.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)
        groups[name] = group
    return groups
