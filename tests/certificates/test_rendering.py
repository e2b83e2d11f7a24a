"""Certificate PDFs, backgrounds, template placeholders and certificate codes (no database)."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image, ImageDraw
from pypdf import PdfReader

from certificates.codes import ALPHABET, CODE_PATTERN, DATA_LENGTH, DISPLAY_LENGTH, new_code, normalise_code
from certificates.rendering import (
    MAX_SIGNATORIES,
    CertificateDesign,
    CertificateFacts,
    PlaceholderError,
    Signatory,
    fill_placeholders,
    placeholders,
    prepare_background,
    render_certificate_pdf,
    template_placeholders,
)

HOLDER = "Батцэцэг Өлзийбаяр Үүрийнтуяа"
COURSE = "Хүүхэд хамгааллын үндэс: Өсвөр үеийнхэн ба Үр хүүхэд"
BODY = (
    "Хүүхэд хамгааллын салбарт ажилладаг мэргэжилтнүүдэд зориулсан цахим сургалтыг амжилттай дүүргэж,\n"
    "шаардлагатай бүх хичээл болон эцсийн шалгалтыг өгсөн тул энэхүү гэрчилгээг олгов."
)
A4_LONG, A4_SHORT = 841.89, 595.28


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _image_bytes(size, colour=(200, 60, 40), mode="RGB", fmt="PNG", draw_line=True) -> bytes:
    image = Image.new(mode, size, "white" if mode == "RGB" else (0, 0, 0, 0))
    if draw_line:
        draw = ImageDraw.Draw(image)
        points = [(10 + index * 9, size[1] // 2 + (index % 5 - 2) * 6) for index in range(size[0] // 10)]
        draw.line(points, fill=colour if mode == "RGB" else (*colour, 255), width=4)
    output = io.BytesIO()
    image.save(output, fmt)
    return output.getvalue()


def _background_png(size=(700, 500)) -> bytes:
    image = Image.new("RGB", size, (250, 246, 236))
    ImageDraw.Draw(image).rectangle([12, 12, size[0] - 13, size[1] - 13], outline=(150, 110, 40), width=5)
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def _facts(language="mn", code=None, holder=HOLDER, course=COURSE) -> CertificateFacts:
    code = code or new_code()
    return CertificateFacts(
        holder_name=holder,
        course_title=course,
        release="1.0",
        completed_on="2026-11-28",
        hours="6",
        code=code,
        verify_url=f"https://cpc.example.mn/verify/{code}/",
        language=language,
    )


def _design(orientation="landscape", background=None, signatures=False, **extra) -> CertificateDesign:
    signatories = [
        Signatory("Д. Энхтуяа", "Хүүхэд, гэр бүлийн хөгжлийн газрын дарга"),
        Signatory("Б. Ганбат", "Сургалтын зохицуулагч"),
    ]
    if signatures:
        signatories[0].signature_png = _image_bytes((360, 120), (20, 30, 90))
        signatories[1].signature_png = _image_bytes((300, 100), (0, 0, 0), mode="RGBA")
    fields = {"title": "Гэрчилгээ", "body": BODY, "signatories": signatories, **extra}
    return CertificateDesign(orientation=orientation, background_png=background, **fields)


def _page(pdf: bytes):
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0]


def _flat(text: str) -> str:
    """Extracted text with every run of whitespace (line breaks of wrapped text) as one space."""
    return " ".join(text.split())


def _qr_texts(page) -> list[str]:
    found = []
    for image in page.images:
        found += [barcode.text for barcode in zxingcpp.read_barcodes(image.image, formats=zxingcpp.QRCode)]
    return found


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def test_mongolian_certificate_has_real_searchable_text():
    facts = _facts()
    page = _page(render_certificate_pdf(_design(), facts))
    text = page.extract_text()
    flat = _flat(text)

    assert HOLDER in text.splitlines(), "the name is one line of exact Cyrillic (Ө, Ү), not boxes"
    assert COURSE in flat
    assert "Гэрчилгээ" in flat
    assert "Хувилбар 1.0" in flat
    assert "Дуусгасан огноо 2026-11-28" in flat
    assert "6 цаг" in flat
    assert facts.code in text
    assert "Шалгах" in flat and facts.verify_url in flat
    assert "Д. Энхтуяа" in flat and "Сургалтын зохицуулагч" in flat
    assert "цахим сургалтыг амжилттай дүүргэж" in flat
    assert flat.index("Гэрчилгээ") < flat.index(HOLDER) < flat.index(COURSE) < flat.index(facts.code)


def test_fonts_are_embedded_noto_sans():
    page = _page(render_certificate_pdf(_design(), _facts()))
    fonts = page["/Resources"]["/Font"]
    names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    assert names == {"/AAAAAA+NotoSans-Regular", "/AAAAAA+NotoSans-Bold"}, "Noto Sans subsets only"
    for font in fonts.values():
        assert "/ToUnicode" in font.get_object(), "text must map back to Unicode"


def test_english_labels():
    facts = _facts(language="en", holder="Oyun-Erdene Bat-Ochir", course="Child protection essentials")
    facts.hours = "1"
    flat = _flat(
        _page(render_certificate_pdf(_design(title="Certificate of completion"), facts)).extract_text()
    )
    assert "Certificate of completion" in flat
    assert "Release 1.0" in flat and "Completed 2026-11-28" in flat and "1 hour" in flat
    assert "Certificate code" in flat and "Verify at" in flat and facts.code in flat


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
@pytest.mark.parametrize("with_background", [False, True], ids=["plain", "background"])
@pytest.mark.parametrize("with_signatures", [False, True], ids=["no-signatures", "signatures"])
def test_every_layout_renders_text_and_a_readable_qr_code(orientation, with_background, with_signatures):
    background = prepare_background(_background_png(), orientation) if with_background else None
    facts = _facts()
    page = _page(render_certificate_pdf(_design(orientation, background, with_signatures), facts))

    width, height = float(page.mediabox.width), float(page.mediabox.height)
    expected = (A4_LONG, A4_SHORT) if orientation == "landscape" else (A4_SHORT, A4_LONG)
    assert (width, height) == pytest.approx(expected, abs=0.5)

    assert _qr_texts(page) == [facts.verify_url]
    text = page.extract_text()
    assert HOLDER in text and facts.code in text and COURSE in _flat(text)

    sizes = [image.image.size for image in page.images]
    full_page = (1754, 1240) if orientation == "landscape" else (1240, 1754)
    assert (full_page in sizes) == with_background
    assert len(sizes) == 1 + with_background + 2 * with_signatures


def test_qr_code_encodes_the_url_exactly():
    facts = _facts(language="en")
    facts.verify_url = "https://cpc.example.mn/en/verify/?code=7KQ2-M9XT-4HPD-R6WA-C&lang=en#top"
    page = _page(render_certificate_pdf(_design(), facts))
    assert _qr_texts(page) == [facts.verify_url]
    assert facts.verify_url in "".join(page.extract_text().split()), "a long address wraps, still as text"


def test_raw_upload_as_background_is_prepared_on_the_fly():
    upload = _image_bytes((500, 800), fmt="JPEG")  # portrait picture on a landscape page
    page = _page(render_certificate_pdf(_design(background=upload), _facts()))
    assert (1754, 1240) in [image.image.size for image in page.images]


def test_long_texts_shrink_and_stay_on_the_page():
    design = _design(body="Урт текст " * 400, signatures=True)
    design.signatories = [Signatory(f"Гарын үсэг зурагч {index}", "Албан тушаал " * 6) for index in range(4)]
    facts = _facts(holder="Батцэцэг-Өлзийбаяр Үүрийнтуяа-Цэрэндоржийн " * 2, course=COURSE * 3)
    page = _page(render_certificate_pdf(design, facts))
    text = page.extract_text()
    assert facts.code in text and "Урт текст" in text
    assert _qr_texts(page) == [facts.verify_url]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"orientation": "sideways"}, "orientation"),
        ({"accent_rgb": (0, 300, 0)}, "accent_rgb"),
        ({"signatories": [Signatory("A", "B")] * (MAX_SIGNATORIES + 1)}, "signatories"),
        ({"background_png": b"not an image at all"}, "not an image"),
        ({"signatories": [Signatory("A", "B", b"\x89PNG\r\n\x1a\n broken")]}, "signature"),
    ],
)
def test_bad_designs_are_refused(change, message):
    design = _design()
    for key, value in change.items():
        setattr(design, key, value)
    with pytest.raises(ValueError, match=message):
        render_certificate_pdf(design, _facts())


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        render_certificate_pdf(_design(), _facts(language="fr"))


# ---------------------------------------------------------------------------------------------
# Backgrounds
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("orientation", "size"), [("landscape", (1754, 1240)), ("portrait", (1240, 1754))])
def test_prepare_background_cover_crops_to_a4_at_150_dpi(orientation, size):
    # A square picture: green centre, red bands at the top and bottom that a landscape crop removes,
    # blue bands left and right that a portrait crop removes.
    image = Image.new("RGBA", (1000, 1000), (0, 160, 0, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 999, 140], fill=(220, 0, 0, 255))
    draw.rectangle([0, 860, 999, 999], fill=(220, 0, 0, 255))
    draw.rectangle([0, 0, 140, 999], fill=(0, 0, 220, 255))
    draw.rectangle([860, 0, 999, 999], fill=(0, 0, 220, 255))
    upload = io.BytesIO()
    image.save(upload, "PNG")

    prepared = Image.open(io.BytesIO(prepare_background(upload.getvalue(), orientation)))
    assert prepared.format == "JPEG" and prepared.mode == "RGB" and prepared.size == size
    middle_of_long_edge = (size[0] // 2, 5) if orientation == "landscape" else (5, size[1] // 2)
    red, green, blue = prepared.getpixel(middle_of_long_edge)
    assert green > 120 and red < 60 and blue < 60, "the bands on the short sides were cropped away"


def test_prepare_background_flattens_transparency_onto_white():
    transparent = _image_bytes((400, 300), mode="RGBA", draw_line=False)
    prepared = Image.open(io.BytesIO(prepare_background(transparent, "portrait")))
    assert all(channel > 245 for channel in prepared.getpixel((600, 800)))


@pytest.mark.parametrize(
    "upload",
    [b"This is a text file that somebody named background.png", b"", b"\x89PNG\r\n\x1a\n" + b"\0" * 64],
    ids=["text", "empty", "broken-png"],
)
def test_prepare_background_refuses_what_is_not_an_image(upload):
    with pytest.raises(ValueError, match="image"):
        prepare_background(upload, "landscape")


def test_prepare_background_refuses_a_tiny_image_and_a_bad_orientation():
    with pytest.raises(ValueError, match="too small"):
        prepare_background(_image_bytes((40, 30)), "landscape")
    with pytest.raises(ValueError, match="orientation"):
        prepare_background(_background_png(), "square")


# ---------------------------------------------------------------------------------------------
# Placeholders
# ---------------------------------------------------------------------------------------------

VALUES = {
    "name": HOLDER,
    "course": COURSE,
    "release": "1.0",
    "date": "2026-11-28",
    "hours": "6",
    "code": "7KQ2-M9XT-4HPD-R6WA-C",
}


def test_placeholder_names():
    assert placeholders() == {"name", "course", "release", "date", "hours", "code"}
    placeholders().add("changed")  # a copy: callers cannot change the allowed set
    assert "changed" not in placeholders()


def test_all_placeholders_are_filled():
    template = "{name} дүүргэв: «{course}» {release}, {date}, {hours} цаг.\nКод: {code} ({name})"
    filled = fill_placeholders(template, VALUES)
    assert filled == (
        f"{HOLDER} дүүргэв: «{COURSE}» 1.0, 2026-11-28, 6 цаг.\nКод: 7KQ2-M9XT-4HPD-R6WA-C ({HOLDER})"
    )
    assert template_placeholders(template) == set(VALUES)
    assert fill_placeholders("No placeholders here.", {}) == "No placeholders here."


def test_values_are_inserted_literally():
    assert fill_placeholders("Hello {name}!", {"name": "{course} }{"}) == "Hello {course} }{!"


@pytest.mark.parametrize(
    ("template", "named"),
    [
        ("Awarded to {nmae} for {course}.", ["{nmae}", "did you mean {name}"]),
        ("{name} completed {Course} on {when}.", ["{Course}", "{when}"]),
        ("Awarded to { name }.", ["{ name }"]),
    ],
)
def test_unknown_placeholders_are_refused_by_name(template, named):
    with pytest.raises(PlaceholderError) as refused:
        fill_placeholders(template, VALUES)
    assert isinstance(refused.value, ValueError)
    for part in named:
        assert part in str(refused.value)
    assert refused.value.unknown == [part for part in named if part.startswith("{")]


@pytest.mark.parametrize(
    ("template", "brace", "position"),
    [
        ("Awarded to {name for {course}.", "{", 12),
        ("Awarded to name} for {course}.", "}", 16),
        ("Awarded to {name", "{", 12),
        ("{{name}}", "{", 1),
    ],
)
def test_unbalanced_braces_are_refused(template, brace, position):
    with pytest.raises(ValueError, match="unbalanced") as refused:
        fill_placeholders(template, VALUES)
    assert f"unbalanced '{brace}' at character {position}" in str(refused.value)
    assert (brace, position) in refused.value.unbalanced


def test_values_must_match_placeholders():
    with pytest.raises(ValueError, match=r"\{hours\}"):
        fill_placeholders("{name}, {hours} hours", {"name": "A"})
    with pytest.raises(ValueError, match="nmae"):
        fill_placeholders("{name}", {"name": "A", "nmae": "B"})


# ---------------------------------------------------------------------------------------------
# Codes
# ---------------------------------------------------------------------------------------------


def _symbols(code: str) -> str:
    return code.replace("-", "")


def test_code_format_and_entropy():
    assert len(ALPHABET) == 32 and not set("ILOU") & set(ALPHABET)
    assert DATA_LENGTH * 5 >= 64
    code = new_code()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", code)
    assert re.fullmatch(CODE_PATTERN, code) and len(code) == DISPLAY_LENGTH == 21
    assert set(_symbols(code)) <= set(ALPHABET)
    assert normalise_code(code) == code


def test_codes_are_unique_and_use_every_symbol_in_every_position():
    sample = [new_code() for _ in range(10_000)]
    assert len(set(sample)) == len(sample)
    for position in range(DATA_LENGTH):
        assert {_symbols(code)[position] for code in sample} == set(ALPHABET), position


def test_normalise_forgives_how_people_type():
    code = new_code()
    symbols = _symbols(code)
    assert normalise_code(code.lower()) == code
    assert normalise_code(" ".join(symbols)) == code
    assert normalise_code(f"  {symbols[:8]} – {symbols[8:]}\n") == code
    # Crockford confusables, and look-alike Cyrillic capitals from a Mongolian keyboard layout.
    ones = _complete("0000111111110000")
    assert normalise_code("oooo-iiii-llll-OOOO-" + ones[-1].lower()) == ones
    assert normalise_code("0000 0000 0000 0000 0") == "0000-0000-0000-0000-0"
    assert normalise_code("OOOO-OOOO-OOOO-OOOO-O") == "0000-0000-0000-0000-0"
    latin = _complete("ABCEHKMPTXY00000")
    assert normalise_code("АВСЕ-НКМР-ТХҮО-0000-" + latin[-1]) == latin
    assert normalise_code("авсе нкмр тхүо 0000 " + latin[-1].lower()) == latin


def _complete(data: str) -> str:
    """The valid code for 16 data symbols: exactly one check symbol fits."""
    valid = [code for code in (normalise_code(data + symbol) for symbol in ALPHABET) if code]
    assert len(valid) == 1, valid
    return valid[0]


def test_every_single_substitution_is_detected():
    for code in [new_code() for _ in range(60)] + ["0000-0000-0000-0000-0"]:
        symbols = _symbols(code)
        for position, original in enumerate(symbols):
            for replacement in ALPHABET.replace(original, ""):
                tampered = symbols[:position] + replacement + symbols[position + 1 :]
                assert normalise_code(tampered) is None, (code, position, replacement)


def test_every_transposition_is_detected():
    for code in [new_code() for _ in range(60)]:
        symbols = list(_symbols(code))
        for first in range(len(symbols)):
            for second in range(first + 1, len(symbols)):
                if symbols[first] == symbols[second]:
                    continue
                swapped = symbols.copy()
                swapped[first], swapped[second] = swapped[second], swapped[first]
                assert normalise_code("".join(swapped)) is None, (code, first, second)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "----",
        "7KQ2-M9XT-4HPD-R6WA",
        "7KQ2-M9XT-4HPD-R6WA-CC",
        "7KQ2-M9XT-4HPD-R6WA-C7",
        "U" * 17,
        "!" * 17,
    ],
)
def test_malformed_codes_are_refused(text):
    assert normalise_code(text) is None


def test_wrong_characters_and_lengths_are_refused():
    code = new_code()
    symbols = _symbols(code)
    assert normalise_code(symbols[:-1]) is None
    assert normalise_code(symbols + "0") is None
    assert normalise_code(symbols[:5] + "U" + symbols[6:]) is None
    assert normalise_code(symbols[:5] + "*" + symbols[6:]) is None
    assert normalise_code(code + " " * 200) is None
    assert normalise_code(None) is None  # type: ignore[arg-type]
