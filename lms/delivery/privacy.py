"""No child's personal data in club delivery: the few fields that can hold text, and why each may.

``tests/delivery/test_privacy.py`` fails when a model of this app gains a field that can hold
free text (or a file) and is not listed here with its reason, and when a form offers one.
Fields limited to a fixed list of choices hold no free text and need no entry.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

TEXT_FIELDS: dict[str, str] = {
    "Kit.name_mn": "The kit's name (e.g. Smart Navigator), typed by programme staff in the admin.",
    "Kit.name_en": "The kit's name in English, typed by programme staff in the admin.",
    "Term.name_mn": "A school term's name (e.g. 2025–2026, term 1), typed by programme staff.",
    "Term.name_en": "A school term's name in English, typed by programme staff.",
    "SessionLog.note": (
        "The facilitator's short note on how the session went (at most 300 characters). The form "
        "asks for no child's name or details, and refuses phone numbers and email addresses."
    ),
    "ReviewMeeting.venue": "Where an in-person meeting of adults is held (an address), typed by staff.",
    "ReviewMeeting.online_link": "The video-call link of an online meeting of adults, typed by staff.",
    "ReviewMeeting.check_in_code": "Drawn by the server (random letters and digits); never typed by a person.",
    "ReviewMeeting.minutes": (
        "Minutes of a meeting of adult facilitators and staff. The form asks for no child's name or "
        "details, and refuses phone numbers and email addresses."
    ),
}

# Form fields that take typed text (a test checks every form of this app against this list).
FORM_TEXT_FIELDS: dict[str, str] = {
    "SessionLogForm.note": "The session note (see SessionLog.note); contact details are refused.",
    "ClubForm.co_facilitators": "Email addresses of adult co-facilitators with an account; stored as accounts, not text.",
    "CheckInForm.code": "A meeting's check-in code, compared with the one drawn by the server; never stored.",
    "MeetingForm.venue": "See ReviewMeeting.venue.",
    "MeetingForm.online_link": "See ReviewMeeting.online_link.",
    "MinutesForm.minutes": "See ReviewMeeting.minutes; contact details are refused.",
    "AttendeeForm.email": "The sign-in address of an adult facilitator marked present; stored as the account.",
}


# --- what the forms refuse in the few text fields ---------------------------------------------------

# A phone number (Mongolian numbers have eight digits; spaces, dots and dashes may separate them)
# or an email address. Dates are taken out first; the helplines (108, 102) are short and stay allowed.
_DATE = re.compile(r"\b(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}\b|\b\d{1,2}[-./]\d{1,2}[-./](?:19|20)\d{2}\b")
_PHONE = re.compile(r"(?:\+?\d[\s\-.]?){8,}")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


def has_contact_details(text: str) -> bool:
    text = _DATE.sub(" ", text or "")
    return bool(_PHONE.search(text) or _EMAIL.search(text))


def refuse_contact_details(text: str) -> None:
    """A note or minutes must not carry anyone's phone number or email address (least of all a child's)."""
    if has_contact_details(text):
        raise ValidationError(
            _(
                "Remove the phone number or email address: notes are about the session, never about a "
                "child. Tell the safeguarding lead directly about anything concerning a child."
            ),
            code="contact_details",
        )
