"""What a certificate is drawn from: the design (per template and language) and the facts."""

from __future__ import annotations

from dataclasses import dataclass, field

ORIENTATIONS = ("landscape", "portrait")
MAX_SIGNATORIES = 4
LANGUAGES = ("mn", "en")


@dataclass
class Signatory:
    name: str
    title: str
    signature_png: bytes | None = None  # PNG or JPEG; white paper becomes transparent unless it has alpha


@dataclass
class CertificateDesign:
    """What an editor sets in a template, already in one language."""

    title: str
    body: str  # placeholders already substituted; may contain line breaks
    orientation: str = "landscape"  # "landscape" | "portrait" (A4)
    background_png: bytes | None = None  # ideally the output of prepare_background (JPEG)
    signatories: list[Signatory] = field(default_factory=list)
    accent_rgb: tuple[int, int, int] = (11, 85, 99)


@dataclass
class CertificateFacts:
    """What is printed besides the body."""

    holder_name: str
    course_title: str
    release: str
    completed_on: str  # already formatted
    hours: str
    code: str
    verify_url: str  # the QR code encodes exactly this
    language: str  # "mn" or "en": the language of the printed labels
    review_meeting: str = ""  # the date of the review meeting a course required, already formatted
