"""Markdown of the content files to the HTML a lesson stores.

Two things the plain Markdown library gets wrong for the way the kits are written:

- A list that follows its lead-in line without a blank line ("…you can:" then "- one") is
  read as one paragraph, so learners saw "…тайлбарлах; - итгэж болох…". A blank line is put
  before the first item of such a list.
- Headings in the files are written as ``###``, but a lesson's title is the page's ``<h1>``;
  the shallowest heading of a text becomes ``<h2>`` (deeper ones follow), so the outline
  never skips a level.
"""

from __future__ import annotations

import re

import markdown

LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+\S")
FENCE_OR_INDENT = re.compile(r"^(?: {4}|\t)")
HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")


def _separate_lists(text: str) -> str:
    """Insert a blank line between a paragraph line and the list item that directly follows it."""
    out: list[str] = []
    in_list = False
    for line in text.splitlines():
        stripped = line.lstrip()
        is_item = bool(LIST_ITEM.match(stripped)) and not FENCE_OR_INDENT.match(line)
        if not line.strip():
            in_list = False
        elif is_item:
            if out and out[-1].strip() and not in_list:
                out.append("")
            in_list = True
        out.append(line)
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def _shift_headings(html: str, top: int) -> str:
    levels = [int(level) for _slash, level in HEADING_TAG.findall(html)]
    if not levels:
        return html
    delta = top - min(levels)
    return HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + delta)}", html)


def markdown_to_html(text: str, *, top_heading: int = 2) -> str:
    """Markdown to HTML: lists recognised after a lead-in line, headings starting at ``top_heading``."""
    html = markdown.markdown(_separate_lists(text), extensions=["sane_lists"], output_format="html")
    return _shift_headings(html, top_heading)
