"""Short, plain prompts for `hark profiles create` and `edit` when no --from file is given.

Prompts go to stderr so that `create` prints only the new id on stdout. Enter keeps the value in
[brackets]; a single "-" clears it. Each answer is checked at once against the schema and asked
again with the reason, so a typo costs one line, not the whole form. The rest of the profile
(hearing, captions, speech, supporters) is set with --from FILE.
"""

from __future__ import annotations

import copy
import sys
from datetime import date
from typing import Any, TextIO

from profiles.errors import ProfileError
from profiles.model import CONSENT_BASES, check_profile, review_date_problems, validate_profile

_TEXT_FIELDS = (
    ("identity", "preferred_name", "Preferred name"),
    ("identity", "full_name", "Full name (optional)"),
    ("identity", "case_reference", "Case reference (optional)"),
    ("identity", "date_of_birth", "Date of birth, YYYY-MM-DD (optional)"),
    ("communication", "what_helps", 'In their words, what helps? ("Face me and speak slowly.")'),
    ("communication", "what_does_not_help", "What does not help?"),
    ("communication", "best_times", "Best times of day"),
    (
        "communication",
        "signs_tired_or_not_understood",
        "How can you tell they are tired or have not understood?",
    ),
    ("communication", "how_to_check_understanding", "How should you check they have understood?"),
    ("consent", "recorded_by", "Recorded by"),
    ("consent", "basis", f"Basis ({', '.join(CONSENT_BASES)})"),
    ("consent", "review_date", "Review date, YYYY-MM-DD"),
)


class Prompter:
    def __init__(self, stdin: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self.stdin, self.stderr = stdin or sys.stdin, stderr or sys.stderr

    def ask(self, label: str, current: str | None) -> str | None:
        shown = f" [{current}]" if current else ""
        self.stderr.write(f"{label}{shown}: ")
        self.stderr.flush()
        line = self.stdin.readline()
        if not line:
            raise ProfileError("The prompts ended before the profile was finished; nothing was saved.")
        answer = line.strip()
        if not answer:
            return current
        return None if answer == "-" else answer

    def say(self, text: str) -> None:
        print(text, file=self.stderr)


def _set(profile: dict[str, Any], section: str, key: str, value: Any) -> dict[str, Any]:
    candidate = copy.deepcopy(profile)
    candidate[section][key] = (
        value
        if value is not None or key in ("full_name", "case_reference", "date_of_birth", "review_date")
        else ""
    )
    return candidate


def _needs(prompter: Prompter, profile: dict[str, Any]) -> None:
    try:
        from profiles.needs import COMMON_NEEDS
    except ImportError:  # the needs catalogue ships with the exports; without it, use --from
        return
    held = {need["code"] for need in profile["needs"]}
    for need in profile["needs"]:
        prompter.say(f"  has need: {need['display']}")
    prompter.say("Communication needs (NHS Accessible Information Standard):")
    for number, need in enumerate(COMMON_NEEDS, 1):
        prompter.say(f"  {number:>2}. {need.display}{'  (recorded)' if need.code in held else ''}")
    while True:
        answer = prompter.ask("Add a need by number, remove with -number, or press Enter to go on", None)
        if answer is None:
            return
        digits = answer.lstrip("-")
        if not digits.isdigit() or not 1 <= int(digits) <= len(COMMON_NEEDS):
            prompter.say(f"  Type a number from 1 to {len(COMMON_NEEDS)}.")
            continue
        need = COMMON_NEEDS[int(digits) - 1]
        if answer.startswith("-"):
            profile["needs"] = [item for item in profile["needs"] if item["code"] != need.code]
            prompter.say(f"  removed: {need.display}")
        elif need.code not in {item["code"] for item in profile["needs"]}:
            note = prompter.ask("  Note for this need (optional)", None) or ""
            profile["needs"].append(
                {"category": need.category, "code": need.code, "display": need.display, "note": note}
            )
            prompter.say(f"  added: {need.display}")


def ask_profile(start: dict[str, Any] | None, who: str, prompter: Prompter | None = None) -> dict[str, Any]:
    """A whole profile from prompts, starting from `start` (for edit) or from the defaults."""
    prompter = prompter or Prompter()
    profile = copy.deepcopy(start) if start else validate_profile({"preferred_name": "?"})
    if start is None:
        profile["identity"]["preferred_name"] = ""
        profile["consent"]["recorded_by"] = who
    prompter.say("Enter keeps the value in [brackets]; - clears it.")
    for section, key, label in _TEXT_FIELDS:
        while True:
            current = profile[section][key]
            candidate = _set(profile, section, key, prompter.ask(label, current))
            _, problems = check_profile(candidate)
            problems += review_date_problems(start, candidate, date.today())
            mine = [problem for problem in problems if problem.startswith(f"{section}.{key}")]
            if not mine:
                profile = candidate
                break
            for problem in mine:
                prompter.say(f"  {problem.split(': ', 1)[1]}")
        if (section, key) == ("communication", "how_to_check_understanding"):
            _needs(prompter, profile)
    return validate_profile(profile)
