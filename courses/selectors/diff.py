"""What changed in one lesson between two releases, the way a reviewer reads it.

Each language is compared block by block (blocks matched by their id, else by position and
type), on normalised text (tags removed, entities unescaped, whitespace collapsed), word by word:
re-saving or re-flowing the same text shows no change, and two added sentences show as exactly
those words inserted. Blocks that are not text (H5P activities, quizzes, images, documents,
videos, callouts, session plans) are listed when they are added, removed, replaced or moved.

Pieces are plain text: templates escape them and wrap insertions and deletions in ``<ins>`` and
``<del>``, so nothing from the content is ever rendered as HTML.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

CONTEXT = 5  # words of unchanged text kept either side of a change

# Block types whose whole meaning is their text: a reviewer reads their words, not a line.
TEXT_BLOCKS = {"text", "heading"}

BLOCK_LABELS = {
    "text": _("Text"),
    "heading": _("Heading"),
    "figure": _("Image"),
    "video": _("Video"),
    "download": _("Document"),
    "callout": _("Callout"),
    "session_plan": _("Session plan"),
    "quiz": _("Quiz"),
    "h5p": _("H5P activity"),
}

# Where a block's value points at another object: block type -> (value key, kind of object).
REFERENCES = {
    "figure": ("image", "image"),
    "video": ("video", "document"),
    "download": ("document", "document"),
    "quiz": ("quiz", "quiz"),
    "h5p": ("activity", "activity"),
}

# Keys of a block value that are settings or references, not words a learner reads.
NOT_TEXT = {
    "id",
    "type",
    "kind",
    "level",
    "completion",
    "decorative",
    "document",
    "video",
    "quiz",
    "activity",
}

BLOCK_TAG = re.compile(r"</?(?:p|br|h\d|li|ul|ol|div|blockquote|tr|td|th)\b[^>]*>", re.IGNORECASE)
TAG = re.compile(r"<[^>]*>")


def normalise(value: str) -> str:
    """Readable text: tags removed (a block tag separates words, an inline one does not),
    entities unescaped, whitespace collapsed."""
    text = html.unescape(TAG.sub("", BLOCK_TAG.sub(" ", value or "")))
    return " ".join(text.split())


def block_text(value) -> str:
    """The normalised words of a block's value (its strings, settings and references aside)."""
    parts: list[str] = []

    def walk(inner):
        if isinstance(inner, str):
            parts.append(normalise(inner))
        elif isinstance(inner, dict):
            for key, item in inner.items():
                if key not in NOT_TEXT and not (key == "image" and not isinstance(item, dict)):
                    walk(item)
        elif isinstance(inner, list):
            for item in inner:
                walk(item)

    walk(value)
    return " ".join(part for part in parts if part)


def reference(block: dict) -> tuple[str, int] | None:
    """(kind, id) of the object a block shows (an image, a document, a quiz, an activity)."""
    kind_key = REFERENCES.get(block.get("type"))
    if not kind_key:
        return None
    key, kind = kind_key
    target = (block.get("value") or {}).get(key)
    if isinstance(target, dict):  # ImageBlock: {"image": id, "alt_text": ..., "decorative": ...}
        target = target.get("image")
    return (kind, target) if isinstance(target, int) else None


@dataclass
class Piece:
    kind: str  # "same" | "ins" | "del" | "gap" (unchanged words left out)
    text: str


@dataclass
class TextChange:
    label: str  # what was changed: the title, or a block ("Text", "Callout" …)
    pieces: list[Piece]

    @property
    def inserted(self) -> list[str]:
        return [piece.text for piece in self.pieces if piece.kind == "ins"]

    @property
    def deleted(self) -> list[str]:
        return [piece.text for piece in self.pieces if piece.kind == "del"]


@dataclass
class LanguageDiff:
    language: str
    texts: list[TextChange] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)  # readable lines: blocks added, moved …

    def __bool__(self) -> bool:
        return bool(self.texts or self.blocks)


def word_pieces(before: str, after: str, context: int = CONTEXT) -> list[Piece]:
    """The words of ``after`` against ``before``: insertions, deletions and a few unchanged
    words either side of each change (the rest as gaps). Empty when the words are the same."""
    old, new = before.split(), after.split()
    if old == new:
        return []
    pieces: list[Piece] = []
    opcodes = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = old[i1:i2]
            first, last = index == 0, index == len(opcodes) - 1
            keep_head = [] if first else words[:context]
            keep_tail = [] if last else words[-context:]
            if len(words) <= len(keep_head) + len(keep_tail) + 2:  # a gap of one or two words hides nothing
                pieces.append(Piece("same", " ".join(words)))
                continue
            if keep_head:
                pieces.append(Piece("same", " ".join(keep_head)))
            pieces.append(Piece("gap", "…"))
            if keep_tail:
                pieces.append(Piece("same", " ".join(keep_tail)))
            continue
        if tag in ("delete", "replace"):
            pieces.append(Piece("del", " ".join(old[i1:i2])))
        if tag in ("insert", "replace"):
            pieces.append(Piece("ins", " ".join(new[j1:j2])))
    return pieces


def match_blocks(old: list[dict], new: list[dict]) -> list[tuple[int, int]]:
    """Pairs (old index, new index) of the same block: the same id where both have one, then the
    rest aligned by position and type (a draft saved outside the admin gets new ids)."""
    old_ids = {block.get("id"): i for i, block in enumerate(old) if block.get("id")}
    pairs = [
        (old_ids[block["id"]], j) for j, block in enumerate(new) if block.get("id") and block["id"] in old_ids
    ]
    used_old, used_new = {i for i, _j in pairs}, {j for _i, j in pairs}
    rest_old = [i for i in range(len(old)) if i not in used_old]
    rest_new = [j for j in range(len(new)) if j not in used_new]
    matcher = difflib.SequenceMatcher(
        a=[old[i].get("type") for i in rest_old], b=[new[j].get("type") for j in rest_new], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs += [(rest_old[i1 + k], rest_new[j1 + k]) for k in range(i2 - i1)]
        elif tag == "replace":  # same place, same type: the same block edited
            pairs += [
                (rest_old[i1 + k], rest_new[j1 + k])
                for k in range(min(i2 - i1, j2 - j1))
                if old[rest_old[i1 + k]].get("type") == new[rest_new[j1 + k]].get("type")
            ]
    return sorted(pairs, key=lambda pair: pair[1])


def moved_blocks(pairs: list[tuple[int, int]]) -> set[int]:
    """New indexes of matched blocks whose order changed: those outside the longest run of
    matched blocks that kept their order."""
    olds = [i for i, _j in pairs]  # in new order
    kept = set()
    for block in difflib.SequenceMatcher(a=sorted(olds), b=olds, autojunk=False).get_matching_blocks():
        kept.update(olds[block.b : block.b + block.size])
    return {j for i, j in pairs if i not in kept}


Namer = Callable[[str, int], str]  # (kind, id) -> readable name


def block_name(block: dict, namer: Namer) -> str:
    """How a reviewer recognises a block: the object it shows, its title, or its first words."""
    target = reference(block)
    if target:
        return namer(*target)
    value = block.get("value")
    title = value.get("title") if isinstance(value, dict) else None
    words = (normalise(title) if isinstance(title, str) and title else block_text(value)).split()
    return " ".join(words[:6]) + (" …" if len(words) > 6 else "")


def _line(message, block: dict, name: str, **more) -> str:
    label = BLOCK_LABELS.get(block.get("type"), block.get("type") or "")
    return str(message) % {"block": label, "name": name, **more}


def language_diff(language: str, before: dict, after: dict, namer: Namer) -> LanguageDiff:
    """One language of a lesson, old revision content against new: the title's and every
    block's changed words, and the blocks added, removed, replaced or moved."""
    result = LanguageDiff(language)
    title = word_pieces(normalise(before.get("title") or ""), normalise(after.get("title") or ""))
    if title:
        result.texts.append(TextChange(str(_("Title")), title))
    old, new = before.get("body") or [], after.get("body") or []
    pairs = match_blocks(old, new)
    moved = moved_blocks(pairs)
    matched_old = dict(pairs)
    matched_new = {j: i for i, j in pairs}
    for j, block in enumerate(new):
        label = str(BLOCK_LABELS.get(block.get("type"), block.get("type") or ""))
        if j not in matched_new:
            if block.get("type") not in TEXT_BLOCKS:  # added text shows as its inserted words
                result.blocks.append(_line(_("%(block)s “%(name)s” added"), block, block_name(block, namer)))
            pieces = word_pieces("", block_text(block.get("value")))
        else:
            was = old[matched_new[j]]
            if reference(was) != reference(block):
                result.blocks.append(
                    _line(
                        _("%(block)s “%(old)s” replaced by “%(name)s”"),
                        block,
                        block_name(block, namer),
                        old=block_name(was, namer),
                    )
                )
            elif j in moved:
                result.blocks.append(_line(_("%(block)s “%(name)s” moved"), block, block_name(block, namer)))
            pieces = word_pieces(block_text(was.get("value")), block_text(block.get("value")))
        if pieces:
            result.texts.append(TextChange(label, pieces))
    for i, block in enumerate(old):
        if i not in matched_old:
            if block.get("type") not in TEXT_BLOCKS:
                result.blocks.append(
                    _line(_("%(block)s “%(name)s” removed"), block, block_name(block, namer))
                )
            pieces = word_pieces(block_text(block.get("value")), "")
            if pieces:
                label = str(BLOCK_LABELS.get(block.get("type"), block.get("type") or ""))
                result.texts.append(TextChange(label, pieces))
    return result


def references_in(*bodies: list[dict]) -> dict[str, set[int]]:
    """Every object the blocks show, by kind, to name them with one query per kind."""
    wanted: dict[str, set[int]] = {}
    for body in bodies:
        for block in body:
            target = reference(block)
            if target:
                wanted.setdefault(target[0], set()).add(target[1])
    return wanted
