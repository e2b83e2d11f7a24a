"""The vocabulary of the content format: languages, block, question and callout kinds, policies."""

from __future__ import annotations

from pathlib import Path

LANGS = ("mn", "en")
BLOCK_TYPES = ("text", "callout", "session_plan", "figure", "sources", "shared")
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"  # blocks every kit uses word for word
CONTENT_NOTE = "content-note"  # the shared blocks a module with ``content_note: true`` opens with
RELEASE_POLICIES = ("nobody", "not_started", "everyone")
CALLOUT_KINDS = ("safeguarding", "tip", "warning")
FIGURE_KINDS = ("steps", "cycle", "compare")
QUESTION_TYPES = (
    "single_choice",
    "multiple_response",
    "true_false",
    "short_text",
    "ordering",
    "matching",
)
QUESTION_KEYS = {"type", "text", "explanation", "objective"}
AUDIENCES = ("open", "justice")
SLUG_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")
