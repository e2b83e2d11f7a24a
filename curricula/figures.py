"""Draw the simple diagrams described in content files (steps, cycle, compare) as PNG images.

Figures are laid out vertically at 800 px so their text stays readable on a phone screen.
Text is set in the bundled Noto Sans, which covers Mongolian Cyrillic. Output is deterministic,
so the same figure always gives the same bytes (and the loader can reuse the stored image).
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path(__file__).resolve().parent.parent / "lms" / "fonts"
REGULAR = FONT_DIR / "NotoSans-Regular.ttf"
BOLD = FONT_DIR / "NotoSans-Bold.ttf"

WIDTH = 800
MARGIN = 32
INK = (29, 39, 51)
BRAND = (11, 85, 99)
BRAND_LIGHT = (226, 239, 242)
WARM = (180, 65, 15)
WARM_LIGHT = (253, 238, 228)
WHITE = (255, 255, 255)

TITLE_SIZE, TEXT_SIZE, LINE_GAP = 38, 34, 8


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(BOLD if bold else REGULAR), size)


_MEASURE = ImageDraw.Draw(Image.new("RGB", (1, 1)))


def _wrap(text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if _MEASURE.textlength(candidate, font=font) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _line_height(font) -> int:
    ascent, descent = font.getmetrics()
    return ascent + descent + LINE_GAP


def _text_height(text: str, font, width: int) -> int:
    return _line_height(font) * len(_wrap(text, font, width)) - LINE_GAP


def _draw_text(draw, x: int, y: int, text: str, font, width: int, fill=INK) -> int:
    for line in _wrap(text, font, width):
        draw.text((x, y), line, font=font, fill=fill)
        y += _line_height(font)
    return y


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _boxes(title: str, items: list[str], *, numbered: bool, cycle: bool) -> bytes:
    title_font, text_font, number_font = _font(TITLE_SIZE, True), _font(TEXT_SIZE), _font(30, True)
    right_gutter = 70 if cycle else 0
    box_w = WIDTH - 2 * MARGIN - right_gutter
    text_w = box_w - (110 if numbered else 48)
    heights = [max(84, _text_height(item, text_font, text_w) + 40) for item in items]
    gap = 56
    title_h = _text_height(title, title_font, WIDTH - 2 * MARGIN)
    top = MARGIN + title_h + 28
    height = top + sum(heights) + gap * (len(items) - 1) + MARGIN
    image = Image.new("RGB", (WIDTH, height), WHITE)
    draw = ImageDraw.Draw(image)
    _draw_text(draw, MARGIN, MARGIN, title, title_font, WIDTH - 2 * MARGIN, fill=BRAND)
    y = top
    centres = []
    for index, (item, box_h) in enumerate(zip(items, heights, strict=True)):
        x0 = MARGIN
        draw.rounded_rectangle(
            (x0, y, x0 + box_w, y + box_h), radius=16, fill=BRAND_LIGHT, outline=BRAND, width=3
        )
        text_x = x0 + 24
        if numbered:
            cy = y + box_h // 2
            draw.ellipse((x0 + 20, cy - 26, x0 + 72, cy + 26), fill=BRAND)
            label = str(index + 1)
            draw.text(
                (x0 + 46 - _MEASURE.textlength(label, font=number_font) / 2, cy - 21),
                label,
                font=number_font,
                fill=WHITE,
            )
            text_x = x0 + 92
        text_top = y + (box_h - _text_height(item, text_font, text_w)) // 2 - 4
        _draw_text(draw, text_x, text_top, item, text_font, text_w)
        centres.append(y + box_h // 2)
        if index < len(items) - 1:
            ax = x0 + box_w // 2
            draw.line((ax, y + box_h + 6, ax, y + box_h + gap - 18), fill=WARM, width=6)
            draw.polygon(
                [(ax, y + box_h + gap - 6), (ax - 13, y + box_h + gap - 22), (ax + 13, y + box_h + gap - 22)],
                fill=WARM,
            )
        y += box_h + gap
    if cycle and len(centres) > 1:
        rx = MARGIN + box_w + 40
        first, last = centres[0], centres[-1]
        draw.line((MARGIN + box_w + 4, last, rx, last), fill=WARM, width=6)
        draw.line((rx, last, rx, first), fill=WARM, width=6)
        draw.line((rx, first, MARGIN + box_w + 18, first), fill=WARM, width=6)
        draw.polygon(
            [
                (MARGIN + box_w + 4, first),
                (MARGIN + box_w + 20, first - 13),
                (MARGIN + box_w + 20, first + 13),
            ],
            fill=WARM,
        )
    return _png(image)


def draw_steps(title: str, items: list[str]) -> bytes:
    """Numbered boxes, top to bottom, joined by arrows."""
    return _boxes(title, items, numbered=True, cycle=False)


def draw_cycle(title: str, items: list[str]) -> bytes:
    """Numbered boxes joined by arrows, with an arrow from the last back to the first."""
    return _boxes(title, items, numbered=True, cycle=True)


def draw_compare(
    title: str, left_heading: str, left: list[str], right_heading: str, right: list[str]
) -> bytes:
    """Two panels, one above the other, each with a heading and bulleted items."""
    title_font, head_font, text_font = _font(TITLE_SIZE, True), _font(TEXT_SIZE, True), _font(TEXT_SIZE - 2)
    inner_w = WIDTH - 2 * MARGIN - 80

    def panel_height(heading, items):
        body = sum(_text_height(item, text_font, inner_w) + 16 for item in items)
        return 28 + _text_height(heading, head_font, inner_w + 40) + 20 + body + 12

    title_h = _text_height(title, title_font, WIDTH - 2 * MARGIN)
    panels = [(left_heading, left, BRAND, BRAND_LIGHT), (right_heading, right, WARM, WARM_LIGHT)]
    heights = [panel_height(heading, items) for heading, items, _c, _l in panels]
    top = MARGIN + title_h + 28
    height = top + sum(heights) + 28 + MARGIN
    image = Image.new("RGB", (WIDTH, height), WHITE)
    draw = ImageDraw.Draw(image)
    _draw_text(draw, MARGIN, MARGIN, title, title_font, WIDTH - 2 * MARGIN, fill=BRAND)
    y = top
    for (heading, items, colour, light), panel_h in zip(panels, heights, strict=True):
        draw.rounded_rectangle(
            (MARGIN, y, WIDTH - MARGIN, y + panel_h), radius=16, fill=light, outline=colour, width=3
        )
        ty = _draw_text(draw, MARGIN + 24, y + 24, heading, head_font, inner_w + 40, fill=colour) + 12
        for item in items:
            draw.ellipse((MARGIN + 28, ty + 16, MARGIN + 44, ty + 32), fill=colour)
            ty = _draw_text(draw, MARGIN + 60, ty, item, text_font, inner_w) + 16
        y += panel_h + 28
    return _png(image)
