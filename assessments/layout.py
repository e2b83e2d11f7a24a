"""What an attempt shows, and the per-attempt tokens the page uses instead of real option ids.

An option's real id (a StreamField block id) must never reach the browser: ids written by the
curricula loader derive from public content and the option's authored position, and in a
matching question the right answer of an item *is* the item's own id. So every attempt gives
each option, and each right-hand answer of a matching question, a random token of its own,
stored in the attempt's layout beside the real ids. The page and the posted form speak only
tokens; the server maps them back, and responses, grading, regrading and item analysis keep the
real ids. Tokens are random bits of one fixed length, so neither their values nor their sort
order say anything about the answer; a second attempt gets new ones.

A layout entry::

    {"question": id, "revision": id, "kind": ..., "points": n,
     "options": [real ids, in the order shown], "tokens": [one token per shown option],
     "matches": [real ids of the right-hand column, in its order], "match_tokens": [...]}

Attempts started before tokens existed have no ``tokens``: their tokens are their real ids
until :func:`with_tokens` gives them tokens (the attempt page does that before showing them).
"""

from __future__ import annotations

import random

TOKEN_BITS = 48  # 12 hex digits: no collision or guess within one attempt
SHUFFLED_ALWAYS = ("ordering",)  # the order shown would otherwise be the answer


def _new_tokens(count: int, rng: random.Random, taken: set[str]) -> list[str]:
    tokens = []
    while len(tokens) < count:
        token = format(rng.getrandbits(TOKEN_BITS), f"0{TOKEN_BITS // 4}x")
        if token not in taken:
            taken.add(token)
            tokens.append(token)
    return tokens


def entry_build(
    *, question_id: int, revision: int, points: int, key: dict, shuffle_options: bool, rng: random.Random
) -> dict:
    """The layout entry of one question for a new attempt: order, tokens, right-hand column."""
    option_ids = [option["id"] for option in key["options"]]
    if shuffle_options or key["kind"] in SHUFFLED_ALWAYS:
        rng.shuffle(option_ids)
    entry = {
        "question": question_id,
        "revision": revision,
        "kind": key["kind"],
        "points": points,
        "options": option_ids,
    }
    if key["kind"] == "matching":
        matches = list(option_ids)
        rng.shuffle(matches)  # the right-hand column is always in an order of its own
        entry["matches"] = matches
    return with_tokens(entry, rng)


def with_tokens(entry: dict, rng: random.Random) -> dict:
    """The entry with fresh tokens for its options (and matches); an entry that has them is kept."""
    if "tokens" in entry:
        return entry
    taken: set[str] = set()
    entry = {**entry, "tokens": _new_tokens(len(entry["options"]), rng, taken)}
    if "matches" in entry:
        entry["match_tokens"] = _new_tokens(len(entry["matches"]), rng, taken)
    return entry


def needs_tokens(layout: list[dict]) -> bool:
    """True for a layout from before tokens (its page would show real ids)."""
    return any("tokens" not in entry for entry in layout)


def option_tokens(entry: dict) -> list[str]:
    """The tokens of the entry's options, in the order shown."""
    return entry.get("tokens") or list(entry["options"])


def match_tokens(entry: dict) -> list[str]:
    """The tokens of a matching question's right-hand column, in the order shown."""
    return entry.get("match_tokens") or list(entry.get("matches", []))


def options_by_token(entry: dict) -> dict[str, str]:
    """Token -> real option id, for the options of the entry."""
    return dict(zip(option_tokens(entry), entry["options"], strict=True))


def matches_by_token(entry: dict) -> dict[str, str]:
    """Token -> real option id, for the right-hand column of a matching question."""
    return dict(zip(match_tokens(entry), entry.get("matches", []), strict=True))


def token_of_option(entry: dict) -> dict[str, str]:
    """Real option id -> token (what the page shows for it)."""
    return dict(zip(entry["options"], option_tokens(entry), strict=True))


def token_of_match(entry: dict) -> dict[str, str]:
    """Real option id -> token of its right-hand answer (matching)."""
    return dict(zip(entry.get("matches", []), match_tokens(entry), strict=True))
