"""Checking one file's data: fields, bilingual text, blocks, and shared blocks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .constants import BLOCK_TYPES, CALLOUT_KINDS, FIGURE_KINDS, LANGS, SHARED_DIR, SLUG_CHARS
from .questions import _QuestionChecks
from .specs import Block
from .yaml_files import ContentError, read_yaml


class Checker(_QuestionChecks):
    """Validates one file's data, raising ContentError at the first problem."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, node: Any, message: str, line: int | None = None):
        raise ContentError(self.path, line or getattr(node, "line", None), message)

    def mapping(self, node: Any, where: str, line: int | None = None) -> dict:
        if not isinstance(node, dict):
            self.fail(node, f"{where} must be a mapping", line)
        return node

    def require(self, node: dict, key: str, where: str) -> Any:
        if key not in node or node[key] in (None, ""):
            self.fail(node, f"{where} is missing '{key}'")
        return node[key]

    def only(self, node: dict, allowed: set[str], where: str):
        unknown = sorted(set(node) - allowed)
        if unknown:
            self.fail(node, f"{where} has unknown key(s): {', '.join(map(str, unknown))}")

    def slug(self, node: dict, where: str) -> str:
        value = self.require(node, "slug", where)
        if not isinstance(value, str) or not value or set(value) - SLUG_CHARS:
            self.fail(node, f"{where}: slug {value!r} must use only a-z, 0-9 and '-'")
        return value

    def text(self, node: dict, key: str, where: str, *, required: bool = True) -> dict[str, str]:
        if key not in node or node[key] is None:
            if required:
                self.fail(node, f"{where} is missing '{key}'")
            return {}
        value = node[key]
        line = getattr(value, "line", None) or getattr(node, "line", None)
        label = f"{where}: '{key}'" if key else where
        if not isinstance(value, dict):
            self.fail(node, f"{label} must give both languages (mn and en)", line)
        for lang in LANGS:
            if lang not in value:
                self.fail(value, f"{label} is missing the {lang} translation", line)
            if not isinstance(value[lang], str) or not value[lang].strip():
                self.fail(value, f"{label} has an empty {lang} translation", line)
        self.only(value, set(LANGS), label)
        return {lang: value[lang].strip() for lang in LANGS}

    def text_list(self, node: dict, key: str, where: str, *, minimum: int = 1) -> dict[str, list[str]]:
        value = node.get(key)
        line = getattr(value, "line", None) or getattr(node, "line", None)
        if not isinstance(value, dict):
            self.fail(node, f"{where}: '{key}' must give lists in both languages (mn and en)", line)
        self.only(value, set(LANGS), f"{where}: '{key}'")
        lengths = {}
        for lang in LANGS:
            items = value.get(lang)
            if not isinstance(items, list) or not items:
                self.fail(value, f"{where}: '{key}' is missing the {lang} list", line)
            if any(not isinstance(item, str) or not item.strip() for item in items):
                self.fail(value, f"{where}: '{key}' ({lang}) has an empty or non-text item", line)
            lengths[lang] = len(items)
        if lengths["mn"] != lengths["en"]:
            self.fail(
                value,
                f"{where}: '{key}' has {lengths['en']} items in en but {lengths['mn']} in mn",
                line,
            )
        if lengths["en"] < minimum:
            self.fail(value, f"{where}: '{key}' needs at least {minimum} items", line)
        return {lang: [item.strip() for item in value[lang]] for lang in LANGS}

    def integer(self, node: dict, key: str, where: str, *, low: int, high: int, default=None) -> int:
        value = node.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(node, f"{where}: '{key}' must be a whole number from {low} to {high}")
        return value

    # blocks

    def blocks(self, nodes: list, where: str) -> list[Block]:
        """A lesson body: its blocks, with each ``shared`` block replaced by the blocks it names."""
        result = []
        for node in nodes:
            if isinstance(node, dict) and len(node) == 1 and "shared" in node:
                result.extend(self.shared(node, where))
            else:
                result.append(self.block(node, where))
        return result

    def block(self, node: Any, where: str) -> Block:
        if not isinstance(node, dict) or len(node) != 1:
            self.fail(node, f"{where}: a block is a mapping with exactly one key (its type)")
        ((kind, value),) = node.items()
        line = node.line
        if kind not in BLOCK_TYPES or kind == "shared":
            self.fail(node, f"{where}: unknown block type '{kind}' (known: {', '.join(BLOCK_TYPES)})")
        where = f"{where} ({kind} block)"
        if kind == "sources":
            return Block(type=kind, value={"items": self.block_sources(value, where, line)}, line=line)
        value = self.mapping(value, where, line)
        getattr(self, f"block_{kind}")(value, where)
        return Block(type=kind, value=value, line=line)

    def shared(self, node: dict, where: str) -> list[Block]:
        name = node["shared"]
        if not isinstance(name, str) or not name or set(name) - SLUG_CHARS:
            self.fail(node, f"{where}: 'shared' names a file in curricula/shared/ (a-z, 0-9, '-')")
        return shared_blocks(name, node=node, path=self.path)

    def block_sources(self, value: Any, where: str, line: int) -> list[dict]:
        """Where a lesson's legal and factual claims come from: instrument, article, year, link."""
        if not isinstance(value, list) or not value:
            self.fail(value, f"{where}: list at least one source", line)
        items = []
        for number, item in enumerate(value, 1):
            item_where = f"{where} source {number}"
            item = self.mapping(item, item_where, line)
            self.only(item, {"instrument", "article", "year", "link", "note"}, item_where)
            year = item.get("year")  # left out only for a document without one (an annual report)
            if year is not None and (
                isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100
            ):
                self.fail(item, f"{item_where}: 'year' must be the year of the instrument (e.g. 2000)")
            link = item.get("link")
            if link is not None and (
                not isinstance(link, str) or not link.startswith("https://") or " " in link
            ):
                self.fail(item, f"{item_where}: 'link' must be an https:// address")
            items.append(
                {
                    "instrument": self.text(item, "instrument", item_where),
                    "article": self.text(item, "article", item_where, required=False),
                    "year": year,
                    "link": link or "",
                    "note": self.text(item, "note", item_where, required=False),
                }
            )
        return items

    def block_text(self, value: dict, where: str):
        for lang in LANGS:
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                self.fail(value, f"{where} is missing the {lang} translation")
        self.only(value, set(LANGS), where)

    def block_callout(self, value: dict, where: str):
        self.only(value, {"kind", "title", "text"}, where)
        if value.get("kind") not in CALLOUT_KINDS:
            self.fail(value, f"{where}: kind must be one of {', '.join(CALLOUT_KINDS)}")
        self.text(value, "title", where, required=False)
        self.text(value, "text", where)

    def block_session_plan(self, value: dict, where: str):
        self.only(
            value,
            {
                "title",
                "age_group",
                "duration_minutes",
                "objectives",
                "materials",
                "steps",
                "discussion_questions",
            },
            where,
        )
        self.text(value, "title", where)
        self.text(value, "age_group", where)
        self.integer(value, "duration_minutes", where, low=5, high=600)
        for key in ("objectives", "materials", "steps", "discussion_questions"):
            self.text_list(value, key, where)

    def block_figure(self, value: dict, where: str):
        kind = value.get("kind")
        if kind not in FIGURE_KINDS:
            self.fail(value, f"{where}: kind must be one of {', '.join(FIGURE_KINDS)}")
        self.text(value, "title", where)
        self.text(value, "alt", where)
        if kind == "compare":
            self.only(value, {"kind", "title", "alt", "left", "right"}, where)
            for side in ("left", "right"):
                part = self.mapping(value.get(side), f"{where}: '{side}'", value.line)
                self.text(part, "heading", f"{where}: '{side}'")
                self.text_list(part, "items", f"{where}: '{side}'")
        else:
            self.only(value, {"kind", "title", "alt", "items"}, where)
            items = self.text_list(value, "items", where, minimum=3)
            if len(items["en"]) > 6:
                self.fail(value, f"{where}: a {kind} figure has at most 6 items")


def shared_blocks(name: str, *, node: Any = None, path: Path | None = None) -> list[Block]:
    """The blocks of ``curricula/shared/<name>.yaml`` (a mapping with ``blocks:``), marked as shared."""
    shared_path = SHARED_DIR / f"{name}.yaml"
    if not shared_path.is_file():
        raise ContentError(
            path or shared_path, getattr(node, "line", None), f"no shared blocks named '{name}'"
        )
    data = read_yaml(shared_path)
    check = Checker(shared_path)
    data = check.mapping(data, "shared blocks file", 1)
    check.only(data, {"blocks"}, "shared blocks file")
    nodes = data.get("blocks")
    if not isinstance(nodes, list) or not nodes:
        check.fail(data, "shared blocks file needs a list under 'blocks'")
    blocks = [check.block(block, f"shared '{name}'") for block in nodes]
    for block in blocks:
        block.shared = name
    return blocks
