"""Small field checkers that the profile schema (profiles/model.py) is built from.

Each checker returns the normalised value and appends every problem it finds to `problems`,
each starting with the field's path, so one pass reports everything wrong with a document.
Free text is never quoted back in a problem: it may be about a person. Settings (numbers,
choices) are quoted, shortened, because "80 is above the maximum 50" is what the user needs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

_BAD_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_BAD_LINE_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _shown(value: Any) -> str:
    text = (
        "null"
        if value is None
        else repr(value)
        if isinstance(value, str)
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
    )
    return text if len(text) <= 40 else text[:37] + "..."


def _kind(value: Any) -> str:
    return {type(None): "null", bool: "true/false", str: "text", list: "a list", dict: "an object"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


class Field:
    """A field with a default; `required` fields report their absence instead."""

    required = False

    def default(self) -> Any:
        return None

    def check(self, value: Any, path: str, problems: list[str]) -> Any:
        raise NotImplementedError


class Text(Field):
    def __init__(
        self,
        max_len: int = 4000,
        *,
        required: bool = False,
        nullable: bool = False,
        one_line: bool = False,
        pattern: re.Pattern[str] | None = None,
        hint: str = "",
    ) -> None:
        self.max_len, self.required, self.nullable = max_len, required, nullable
        self.one_line, self.pattern, self.hint = one_line, pattern, hint

    def default(self) -> Any:
        return None if self.nullable else ""

    def check(self, value: Any, path: str, problems: list[str]) -> Any:
        if value is None and self.nullable:
            return None
        if not isinstance(value, str):
            problems.append(f"{path}: must be text, not {_kind(value)}")
            return self.default()
        value = value.replace("\r\n", "\n").strip()
        bad = (_BAD_LINE_CHARS if self.one_line else _BAD_CHARS).search(value)
        if bad:
            what = "a line break" if bad.group() in "\n\r" else "a control or invalid character"
            problems.append(f"{path}: contains {what} at position {bad.start() + 1}; remove it")
        elif len(value) > self.max_len:
            problems.append(
                f"{path}: is {len(value):,} characters long; the most allowed is {self.max_len:,}"
            )
        elif self.required and not value:
            problems.append(f"{path}: must not be empty")
        elif value and self.pattern is not None and not self.pattern.fullmatch(value):
            problems.append(f"{path}: {_shown(value)} is not {self.hint}")
        elif self.nullable and not value:
            return None
        else:
            return value
        return self.default()


class Code(Text):
    """One-line text that a function must accept (a SNOMED CT id, a profile id)."""

    def __init__(
        self, valid: Callable[[str], bool], hint: str, *, required: bool = False, nullable: bool = False
    ) -> None:
        super().__init__(100, required=required, nullable=nullable, one_line=True)
        self.valid, self.hint = valid, hint

    def check(self, value: Any, path: str, problems: list[str]) -> Any:
        count = len(problems)
        text = super().check(value, path, problems)
        if len(problems) == count and text and not self.valid(text):
            problems.append(f"{path}: {_shown(text)} is not {self.hint}")
            return self.default()
        return text


class Choice(Field):
    def __init__(
        self,
        options: tuple[str, ...],
        default: str | None = None,
        *,
        required: bool = False,
        nullable: bool = False,
    ) -> None:
        self.options, self._default, self.required, self.nullable = options, default, required, nullable

    def default(self) -> Any:
        return self._default

    def check(self, value: Any, path: str, problems: list[str]) -> Any:
        if value in self.options or (value is None and self.nullable):
            return value
        problems.append(f"{path}: {_shown(value)} is not one of {', '.join(self.options)}")
        return self._default


class Flag(Field):
    def __init__(self, default: bool) -> None:
        self._default = default

    def default(self) -> Any:
        return self._default

    def check(self, value: Any, path: str, problems: list[str]) -> Any:
        if isinstance(value, bool):
            return value
        problems.append(f"{path}: must be true or false, not {_shown(value)}")
        return self._default


class Number(Field):
    def __init__(
        self, low: float, high: float, default: float | None, *, whole: bool = False, unit: str = ""
    ) -> None:
        self.low, self.high, self._default, self.whole, self.unit = low, high, default, whole, unit

    def default(self) -> Any:
        return self._default

    def check(self, value: Any, path: str, problems: list[str]) -> Any:
        unit = f" {self.unit}" if self.unit else ""
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            problems.append(f"{path}: must be a {'whole ' if self.whole else ''}number, not {_shown(value)}")
        elif self.whole and not isinstance(value, int):
            problems.append(f"{path}: must be a whole number, not {_shown(value)}")
        elif value < self.low:
            problems.append(f"{path}: {_shown(value)} is below the minimum {self.low:g}{unit}")
        elif value > self.high:
            problems.append(f"{path}: {_shown(value)} is above the maximum {self.high:g}{unit}")
        else:
            return int(value) if self.whole else float(value)
        return self._default


class Day(Field):
    """A `YYYY-MM-DD` date, or null."""

    def __init__(self, *, not_after_today: bool = False, today: Callable[[], date] = date.today) -> None:
        self.not_after_today, self.today = not_after_today, today

    def check(self, value: Any, path: str, problems: list[str]) -> Any:
        if value is None:
            return None
        try:
            if not isinstance(value, str) or not _DATE.fullmatch(value):
                raise ValueError
            day = date.fromisoformat(value)
        except ValueError:
            problems.append(f"{path}: must be a date written YYYY-MM-DD, such as 2026-03-31")
            return None
        if self.not_after_today and day > self.today():
            problems.append(f"{path}: {value} is in the future")
            return None
        return value


class Moment(Field):
    """An ISO 8601 time with a UTC offset, or null."""

    def check(self, value: Any, path: str, problems: list[str]) -> Any:
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) and len(value) < 40 else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            problems.append(
                f"{path}: must be an ISO 8601 time with a UTC offset, such as 2026-03-31T14:05:00+00:00"
            )
            return None
        return moment.isoformat(timespec="seconds")


class Items(Field):
    """A list of items of one kind, at most `max_items` long (or exactly `exact` long)."""

    def __init__(
        self, item: Field, max_items: int = 50, *, exact: int | None = None, default: list[Any] | None = None
    ) -> None:
        self.item, self.max_items, self.exact, self._default = item, max_items, exact, default or []

    def default(self) -> Any:
        return list(self._default)

    def check(self, value: Any, path: str, problems: list[str]) -> Any:
        if not isinstance(value, list):
            problems.append(f"{path}: must be a list, not {_kind(value)}")
            return self.default()
        if self.exact is not None and len(value) != self.exact:
            problems.append(f"{path}: must hold exactly {self.exact} values, not {len(value)}")
            return self.default()
        if len(value) > self.max_items:
            problems.append(f"{path}: holds {len(value)} items; the most allowed is {self.max_items}")
            return self.default()
        return [self.item.check(item, join(path, index), problems) for index, item in enumerate(value)]


class Section(Field):
    """An object with known keys; unknown keys are errors so a typo never drops a need silently."""

    def __init__(
        self,
        fields: Mapping[str, Field],
        *,
        nullable: bool = False,
        open_keys: Field | None = None,
        key_names: tuple[str, ...] = (),
    ) -> None:
        self.fields, self.nullable = fields, nullable
        # open_keys: a mapping whose keys come from key_names and whose values all use one field.
        self.open_keys, self.key_names = open_keys, key_names

    def default(self) -> Any:
        if self.nullable:
            return None
        return {name: field.default() for name, field in self.fields.items()}

    def check(self, value: Any, path: str, problems: list[str]) -> Any:
        if value is None and self.nullable:
            return None
        if not isinstance(value, dict):
            problems.append(f"{path or 'the profile'}: must be an object, not {_kind(value)}")
            return self.default()
        if self.open_keys is not None:
            return self._check_open(value, path, problems)
        result: dict[str, Any] = {}
        for key in value:
            if key not in self.fields:
                problems.append(
                    f"{join(path, key)}: is not a known field; the fields here are {', '.join(self.fields)}"
                )
        for name, field in self.fields.items():
            if name in value:
                result[name] = field.check(value[name], join(path, name), problems)
            else:
                if field.required:
                    problems.append(f"{join(path, name)}: is required")
                result[name] = field.default()
        return result

    def _check_open(self, value: dict[str, Any], path: str, problems: list[str]) -> dict[str, Any]:
        assert self.open_keys is not None
        result: dict[str, Any] = {}
        for key in self.key_names:
            if key in value:
                result[key] = self.open_keys.check(value[key], join(path, key), problems)
        for key in value:
            if key not in self.key_names:
                problems.append(f"{join(path, key)}: is not one of {', '.join(self.key_names)}")
        return result
