"""Certificate PDFs: layout, background images and template placeholders.

Pure library code (no database, no Django settings) so that issuance tasks, previews and tests can
call it anywhere. Everything that does not change between certificates is prepared once per process
and kept at module level: the registered fonts, prepared backgrounds and signature images (keyed by
a hash of their bytes). A background reaches the PDF as JPEG, which reportlab embeds as it is
(DCTDecode) instead of decoding and recompressing every pixel on every certificate.

All text is drawn with the bundled Noto Sans (Mongolian Cyrillic Ө ө Ү ү included) as real,
extractable text; only the background, the signatures and the QR code are images.

Split by concern: ``design`` (the public data a certificate is drawn from), ``placeholders``
(template placeholders), ``fonts`` (fonts, printed labels, colours), ``images`` (backgrounds,
signatures, the QR code), ``text`` (fitting text into boxes) and ``layout`` (the page).
Import from this package, not from its modules.
"""

from __future__ import annotations

from .design import LANGUAGES, MAX_SIGNATORIES, ORIENTATIONS, CertificateDesign, CertificateFacts, Signatory
from .images import BACKGROUND_DPI, prepare_background
from .layout import render_certificate_pdf
from .placeholders import PlaceholderError, fill_placeholders, placeholders, template_placeholders

__all__ = [
    "CertificateDesign",
    "CertificateFacts",
    "PlaceholderError",
    "Signatory",
    "MAX_SIGNATORIES",
    "fill_placeholders",
    "placeholders",
    "prepare_background",
    "render_certificate_pdf",
    "template_placeholders",
    "BACKGROUND_DPI",
    "LANGUAGES",
    "ORIENTATIONS",
]
