"""Counts in messages, with the noun in the right number: "1 profile", "2 profiles"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and `noun`, plural unless the count is exactly one (`plural` for irregular nouns)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
