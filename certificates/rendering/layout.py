"""The page: geometry, drawing helpers, signatories, the verification corner, and the PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from .design import MAX_SIGNATORIES, CertificateDesign, CertificateFacts, Signatory
from .fonts import _INK, _LABELS, _MUTED, _RULE, BOLD, REGULAR, _accent, _language, _register_fonts
from .images import _QR_QUIET_MODULES, _background_jpeg, _JpegReader, _page_size, _qr_image, _signature_image
from .text import _Block, _fit_block, _width


@dataclass(frozen=True)
class _Geometry:
    margin_x: float
    margin_top: float
    margin_bottom: float
    title_size: float
    name_size: float
    body_width: float
    qr_size: float  # visible QR code, quiet zone excluded


_GEOMETRY = {
    "landscape": _Geometry(
        margin_x=72, margin_top=62, margin_bottom=54, title_size=34, name_size=30, body_width=590, qr_size=70
    ),
    "portrait": _Geometry(
        margin_x=60, margin_top=104, margin_bottom=56, title_size=32, name_size=26, body_width=440, qr_size=70
    ),
}
_BORDER_OUTER = 20
_BORDER_INNER = 25.5


class _Page:
    """Drawing helpers bound to one canvas."""

    def __init__(self, canvas: Canvas, width: float, height: float, accent: tuple[float, float, float]):
        self.canvas = canvas
        self.width = width
        self.height = height
        self.accent = accent

    def text(self, x, y, text, font, size, colour, align="centre", char_space: float = 0):
        canvas = self.canvas
        canvas.setFont(font, size)
        canvas.setFillColorRGB(*colour)
        if align == "centre":
            canvas.drawCentredString(x, y, text, charSpace=char_space)
        elif align == "right":
            canvas.drawRightString(x, y, text, charSpace=char_space)
        else:
            canvas.drawString(x, y, text, charSpace=char_space)

    def runs(self, x, y, runs: list[tuple[str, str, float, tuple]]):
        """Text in several fonts and colours on one line, as one text object (so that text
        extraction keeps it on one line)."""
        text = self.canvas.beginText(x, y)
        for string, font, size, colour in runs:
            text.setFont(font, size)
            text.setFillColorRGB(*colour)
            text.textOut(string)
        self.canvas.drawText(text)

    def block(self, x, top, block: _Block, colour, align="centre") -> float:
        """Draw a block whose first line's top is at `top`; return the y below its last line."""
        baseline = top - block.size * 0.95
        for line in block.lines:
            if line:
                self.text(x, baseline, line, block.font, block.size, colour, align)
            baseline -= block.leading
        return top - block.height

    def line(self, x1, y1, x2, y2, colour, width):
        self.canvas.setStrokeColorRGB(*colour)
        self.canvas.setLineWidth(width)
        self.canvas.line(x1, y1, x2, y2)

    def diamond(self, x, y, radius, colour):
        self.canvas.setFillColorRGB(*colour)
        path = self.canvas.beginPath()
        path.moveTo(x, y + radius)
        path.lineTo(x + radius, y)
        path.lineTo(x, y - radius)
        path.lineTo(x - radius, y)
        path.close()
        self.canvas.drawPath(path, stroke=0, fill=1)

    def ornament(self, x, y, half_width):
        """A short accent rule with a diamond in the middle."""
        self.line(x - half_width, y, x - 7, y, self.accent, 0.8)
        self.line(x + 7, y, x + half_width, y, self.accent, 0.8)
        self.diamond(x, y, 3, self.accent)

    def border(self):
        canvas, accent = self.canvas, self.accent
        canvas.setStrokeColorRGB(*accent)
        canvas.setLineWidth(1.6)
        outer = _BORDER_OUTER
        canvas.rect(outer, outer, self.width - 2 * outer, self.height - 2 * outer, stroke=1, fill=0)
        canvas.setLineWidth(0.5)
        inner = _BORDER_INNER
        canvas.rect(inner, inner, self.width - 2 * inner, self.height - 2 * inner, stroke=1, fill=0)
        middle = (outer + inner) / 2
        for x in (middle, self.width - middle):
            for y in (middle, self.height - middle):
                self.diamond(x, y, 4.5, accent)


def _signatory_blocks(signatory: Signatory, width: float) -> tuple[_Block, _Block]:
    name = _fit_block(signatory.name.strip(), BOLD, (10.5, 8), width, max_lines=2, leading=1.25)
    title = _fit_block(signatory.title.strip(), REGULAR, (8.5, 7), width, max_lines=2, leading=1.3)
    return name, title


_SIGN_IMAGE_HEIGHT = 40
_SIGN_BELOW_LINE = 44  # room for the name and a two-line title under the signature line


def _draw_signatories(page: _Page, signatories: list[Signatory], left: float, right: float, line_y: float):
    count = len(signatories)
    slot = min((right - left) / count, 200)
    start = left + ((right - left) - slot * count) / 2
    for index, signatory in enumerate(signatories):
        centre = start + slot * (index + 0.5)
        text_width = slot - 16
        line_half = min(text_width, 170) / 2
        if signatory.signature_png:
            image = _signature_image(signatory.signature_png)
            scale = min(line_half * 2 / image.width, _SIGN_IMAGE_HEIGHT / image.height)
            drawn_width, drawn_height = image.width * scale, image.height * scale
            page.canvas.drawImage(
                ImageReader(image),
                centre - drawn_width / 2,
                line_y + 3,
                drawn_width,
                drawn_height,
                mask="auto",
            )
        page.line(centre - line_half, line_y, centre + line_half, line_y, _RULE, 0.6)
        name, title = _signatory_blocks(signatory, text_width)
        below = page.block(centre, line_y - 4, name, _INK)
        page.block(centre, below - 1, title, _MUTED)


@dataclass
class _Verification:
    """The QR code at the bottom right, and the code and address right-aligned to its left."""

    facts: CertificateFacts
    labels: dict[str, str]
    right: float
    bottom: float
    qr: float  # visible size, quiet zone excluded
    gap: float = 12
    label_size: float = 7.5
    code_size: float = 12.5
    code_space: float = 1.2  # letter spacing: the code reads like a typewritten one
    max_url_width: float = 230

    def __post_init__(self):
        # One line if it fits at a readable size (easier to type back), else wrapped after a "/".
        url = self.facts.verify_url
        self.url = _fit_block(url, REGULAR, (8, 6.5), self.max_url_width, max_lines=1, leading=1.25)
        if self.url.lines != [url]:
            self.url = _fit_block(url, REGULAR, (7.5, 6.5), self.max_url_width, max_lines=3, leading=1.25)
        self.text_right = self.right - self.qr - self.gap
        self.text_width = max(
            _width(self.labels["code"], REGULAR, self.label_size),
            _width(self.facts.code, BOLD, self.code_size, self.code_space),
            _width(self.labels["verify"], REGULAR, self.label_size),
            *(_width(line, REGULAR, self.url.size) for line in self.url.lines),
        )

    @property
    def left(self) -> float:
        return self.text_right - self.text_width

    def draw(self, page: _Page):
        top = self.bottom + self.qr
        x = self.text_right
        page.text(x, top - 7, self.labels["code"], REGULAR, self.label_size, _MUTED, "right")
        page.text(
            x, top - 22, self.facts.code, BOLD, self.code_size, _INK, "right", char_space=self.code_space
        )
        page.text(x, top - 38, self.labels["verify"], REGULAR, self.label_size, _MUTED, "right")
        page.block(x, top - 41, self.url, page.accent, "right")

        image, modules = _qr_image(self.facts.verify_url)
        module = self.qr / (modules - 2 * _QR_QUIET_MODULES)
        quiet = module * _QR_QUIET_MODULES
        full = module * modules
        page.canvas.drawImage(
            ImageReader(image), self.right - self.qr - quiet, self.bottom - quiet, full, full
        )


def _facts_runs(
    facts: CertificateFacts, labels: dict, accent, size: float
) -> list[tuple[str, str, float, tuple]]:
    """ "Release 1.0 • Completed 2026-11-28 • 6 hours": labels muted, values bold."""
    items = []
    if facts.release.strip():
        items.append((labels["release"] + " ", facts.release.strip()))
    if facts.completed_on.strip():
        items.append((labels["completed"] + " ", facts.completed_on.strip()))
    hours = facts.hours.strip()
    if hours:
        items.append(("", (labels["hour"] if hours == "1" else labels["hours"]).format(hours=hours)))
    if facts.review_meeting.strip():  # blended training: the meeting the course required
        items.append((labels["meeting"] + " ", facts.review_meeting.strip()))
    runs = []
    for index, (label, value) in enumerate(items):
        if index:
            runs.append(("   •   ", REGULAR, size, accent))
        if label:
            runs.append((label, REGULAR, size, _MUTED))
        runs.append((value, BOLD, size, _INK))
    return runs


def _runs_width(runs) -> float:
    return sum(_width(string, font, size) for string, font, size, _colour in runs)


def render_certificate_pdf(design: CertificateDesign, facts: CertificateFacts) -> bytes:
    """One A4 page of PDF for a certificate.

    Raises ValueError for an unknown orientation or language, a bad accent colour, more than
    MAX_SIGNATORIES signatories, an empty verify_url, or background/signature bytes that are not
    images. A background that is not already prepared (see prepare_background) is prepared here,
    once per process.
    """
    _register_fonts()
    width, height = _page_size(design.orientation)
    geometry = _GEOMETRY[design.orientation]
    language = _language(facts.language)
    labels = _LABELS[language]
    accent = _accent(design.accent_rgb)
    if len(design.signatories) > MAX_SIGNATORIES:
        raise ValueError(f"A certificate has room for at most {MAX_SIGNATORIES} signatories.")
    if not facts.verify_url:
        raise ValueError("The certificate needs a verification address for its QR code.")
    background = (
        _background_jpeg(design.background_png, design.orientation) if design.background_png else None
    )

    output = io.BytesIO()
    canvas = Canvas(
        output, pagesize=(width, height), pageCompression=1, lang=language, initialFontName=REGULAR
    )
    canvas.setTitle(f"{design.title} — {facts.holder_name}")
    canvas.setSubject(facts.course_title)
    canvas.setKeywords(facts.code)
    canvas.setCreator("CPC Learn")
    page = _Page(canvas, width, height, accent)

    if background:
        jpeg, digest = background
        canvas.drawImage(_JpegReader(jpeg, digest), 0, 0, width, height)
    else:
        page.border()
    _draw_content(page, design, facts, geometry, labels)

    canvas.showPage()
    canvas.save()
    return output.getvalue()


def _draw_content(
    page: _Page, design: CertificateDesign, facts: CertificateFacts, geometry: _Geometry, labels: dict
) -> None:
    """Title, middle and bottom band of the page, over its background or border."""
    centre = page.width / 2
    content_width = page.width - 2 * geometry.margin_x
    right = page.width - geometry.margin_x
    bottom = geometry.margin_bottom

    # Title and ornament.
    title = _fit_block(
        design.title.strip(), BOLD, (geometry.title_size, 18), content_width, max_lines=2, leading=1.15
    )
    ornament_y = page.block(centre, page.height - geometry.margin_top, title, page.accent) - 12
    page.ornament(centre, ornament_y, 60)

    # Bottom band, measured first: signatories, then verification (drawn last, in reading order).
    verification = _Verification(facts, labels, right, bottom, geometry.qr_size)
    band_top = bottom + geometry.qr_size
    line_y = None
    if design.signatories:
        if design.orientation == "landscape":
            line_y = bottom + _SIGN_BELOW_LINE
            signatory_right = verification.left - 24
        else:
            line_y = bottom + geometry.qr_size + 22 + _SIGN_BELOW_LINE
            signatory_right = right
        band_top = max(band_top, line_y + _SIGN_IMAGE_HEIGHT + 3)

    _draw_middle(page, design, facts, geometry, labels, top_limit=ornament_y - 24, bottom_limit=band_top + 24)

    if line_y is not None:
        _draw_signatories(page, design.signatories, geometry.margin_x, signatory_right, line_y)
    verification.draw(page)


def _draw_middle(
    page: _Page,
    design: CertificateDesign,
    facts: CertificateFacts,
    geometry: _Geometry,
    labels: dict,
    *,
    top_limit: float,
    bottom_limit: float,
) -> None:
    """Holder name, body, course, facts, vertically centred between the two limits."""
    centre = page.width / 2
    content_width = page.width - 2 * geometry.margin_x
    accent = page.accent
    available = top_limit - bottom_limit
    name = _fit_block(
        facts.holder_name.strip(), BOLD, (geometry.name_size, 16), content_width, max_lines=2, leading=1.2
    )
    course = _fit_block(
        facts.course_title.strip(), BOLD, (17, 12), min(content_width, geometry.body_width + 60), max_lines=2
    )
    facts_size = 10.5
    runs = _facts_runs(facts, labels, accent, facts_size)
    while runs and _runs_width(runs) > content_width and facts_size > 7:
        facts_size -= 0.5
        runs = _facts_runs(facts, labels, accent, facts_size)
    name_gap, body_gap, course_gap = 26, 18, 12
    fixed = name.height + name_gap + course.height + (course_gap + facts_size * 1.3 if runs else 0)
    body = None
    if design.body.strip():
        body = _fit_block(
            design.body.strip(),
            REGULAR,
            (12.5, 8),
            geometry.body_width,
            max_height=max(available - fixed - body_gap, 12),
            leading=1.45,
        )
    total = fixed + (body.height + body_gap if body else 0)
    top = bottom_limit + max(0, available - total) / 2 + total

    below = page.block(centre, top, name, _INK)
    first_line = name.lines[0] if name.lines else ""
    rule_half = min(max(_width(first_line, BOLD, name.size) / 2 + 24, 120), content_width / 2)
    page.line(centre - rule_half, below - 9, centre + rule_half, below - 9, accent, 0.6)
    below -= name_gap
    if body:
        below = page.block(centre, below, body, _INK) - body_gap
    below = page.block(centre, below, course, accent)
    if runs:
        page.runs(centre - _runs_width(runs) / 2, below - course_gap - facts_size, runs)
