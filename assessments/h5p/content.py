"""What a package's content is made of, read from its ``content.json`` (plain Python, no database):
the content types inside it, whether they give a score, the hosts its media come from.

H5P content names every piece of sub-content as ``{"library": "H5P.X 1.2", "params": ...}`` and
every file as ``{"path": ..., "mime": ...}``; a path with a scheme is loaded from another host
(a YouTube video is ``{"path": "https://youtu.be/…", "mime": "video/YouTube"}``).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

_LIBRARY_RE = re.compile(r"^([A-Za-z][\w.-]*) \d+\.\d+$")

# Content types that give a score (H5P's own list of "tasks" in H5P.Column, and the other
# question types of the H5P hub). A container gives a score when a task is inside it.
SCORING_TYPES = frozenset(
    {
        "H5P.ArithmeticQuiz",
        "H5P.Blanks",
        "H5P.BranchingScenario",
        "H5P.Crossword",
        "H5P.Dictation",
        "H5P.DocumentationTool",
        "H5P.DragQuestion",
        "H5P.DragText",
        "H5P.Essay",
        "H5P.FindTheWords",
        "H5P.Flashcards",
        "H5P.ImageHotspotQuestion",
        "H5P.ImageMultipleHotspotQuestion",
        "H5P.ImagePair",
        "H5P.ImageSequencing",
        "H5P.MarkTheWords",
        "H5P.MemoryGame",
        "H5P.MultiChoice",
        "H5P.MultiMediaChoice",
        "H5P.QuestionSet",
        "H5P.SingleChoiceSet",
        "H5P.SortParagraphs",
        "H5P.SpeakTheWords",
        "H5P.SpeakTheWordsSet",
        "H5P.Summary",
        "H5P.TrueFalse",
    }
)
# Containers: they give a score only through the tasks inside them, and send "completed" (or
# "answered") for themselves when the learner reaches their end.
CONTAINER_TYPES = frozenset(
    {
        "H5P.Column",
        "H5P.CoursePresentation",
        "H5P.InteractiveBook",
        "H5P.InteractiveVideo",
        "H5P.QuestionSet",
        "H5P.SingleChoiceSet",
        "H5P.BranchingScenario",
    }
)

# Hosts of well-known media services, for the message a learner reads.
SERVICES = {
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "youtube-nocookie.com": "YouTube",
    "vimeo.com": "Vimeo",
    "panopto.com": "Panopto",
    "soundcloud.com": "SoundCloud",
    "google.com": "Google",
    "googleapis.com": "Google",
}


def _walk(value: Any):
    """Every object inside a JSON value, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def content_types(content_json: Any, main_library: str) -> list[str]:
    """Machine names of the main library and of every sub-content inside it, main first."""
    found = [main_library]
    for item in _walk(content_json):
        library = item.get("library")
        if isinstance(library, str) and "params" in item:
            match = _LIBRARY_RE.match(library.strip())
            if match and match.group(1) not in found:
                found.append(match.group(1))
    return found


def gives_score(types: list[str]) -> bool:
    """Whether content made of these types can give a score (a task is in it)."""
    return any(name in SCORING_TYPES for name in types)


def ends_itself(types: list[str]) -> bool:
    """Whether the content sends an ending of its own (an answer or "completed") when finished:
    a task, or a container with a task inside. Other content (a presentation without questions,
    an image juxtaposition, a greeting card) may never send one."""
    return gives_score(types)


def default_rule(types: list[str]) -> str:
    """The completion rule that suits the content: a score to reach when it gives one,
    otherwise having viewed it."""
    return "passed" if gives_score(types) else "viewed"


def rule_can_be_met(rule: str, types: list[str]) -> bool:
    """Whether content made of these types can ever meet a completion rule."""
    if rule in ("passed", "answered", "completed"):
        return gives_score(types)
    return True


def media_hosts(content_json: Any) -> list[str]:
    """Hosts (lower case) that the content's files are loaded from: every ``path`` with a scheme."""
    hosts: list[str] = []
    for item in _walk(content_json):
        path = item.get("path")
        if not isinstance(path, str) or "://" not in path[:12]:
            continue
        try:
            parts = urlsplit(path.strip())
        except ValueError:
            continue
        host = (parts.hostname or "").lower()
        if parts.scheme in ("http", "https") and host and host not in hosts:
            hosts.append(host)
    return sorted(hosts)


def service_name(host: str) -> str:
    """The name a learner knows a host by ("YouTube"), or the host itself."""
    host = host.lower().rstrip(".")
    for domain, name in SERVICES.items():
        if host == domain or host.endswith("." + domain):
            return name
    return host


def host_allowed(host: str, allowed: list[str] | tuple[str, ...]) -> bool:
    """Whether a host is on the allow-list (``example.org`` or ``*.example.org`` entries)."""
    host = host.lower().rstrip(".")
    for entry in allowed:
        entry = entry.lower().strip()
        if "://" in entry:
            entry = urlsplit(entry).hostname or ""
        if entry.startswith("*."):
            if host.endswith(entry[1:]):
                return True
        elif host == entry:
            return True
    return False


def defines_constructor(scripts: str, machine_name: str) -> bool:
    """Whether a library's scripts assign its constructor (``H5P.TrueFalse = …``,
    ``H5P["TrueFalse"] = …``, minified ``e.TrueFalse=``): H5P starts content with
    ``H5P[<last part of the machine name>]``, which must exist once the scripts ran."""
    short = machine_name.rsplit(".", 1)[-1]
    pattern = re.compile(
        r"(?:\.\s*" + re.escape(short) + r"|\[\s*[\"']" + re.escape(short) + r"[\"']\s*\])\s*=(?!=)"
    )
    return bool(pattern.search(scripts))
