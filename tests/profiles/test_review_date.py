"""A review date already gone is refused when it is set, but never makes a stored profile unusable."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from profiles.errors import ProfileError
from profiles.model import review_date_problems, validate_profile
from profiles.store import ProfileStore
from tests.profiles.conftest import PASSPHRASE, TEST_SCRYPT_N

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def _store(path: Path) -> ProfileStore:
    return ProfileStore.create(path, PASSPHRASE, "Tess Tester", scrypt_n=TEST_SCRYPT_N, clock=lambda: NOW)


def _with_review(day: str | None, name: str = "Ada") -> dict[str, object]:
    return {"identity": {"preferred_name": name}, "consent": {"review_date": day}}


def test_creating_with_a_past_review_date_is_refused_naming_the_field_and_the_fix(store_path: Path) -> None:
    with _store(store_path) as store:
        with pytest.raises(ProfileError) as caught:
            store.create_profile(_with_review("2024-01-01"))
        assert caught.value.problems == [
            "consent.review_date: 2024-01-01 is in the past; give the day the profile should next be "
            "checked, 2026-06-15 or later, or leave it empty"
        ]
        assert store.list_profiles() == []
        store.create_profile(_with_review("2026-06-15"))  # today is fine
        store.create_profile(_with_review(None))


def test_editing_to_a_past_review_date_is_refused_but_an_overdue_profile_stays_usable(
    store_path: Path,
) -> None:
    with _store(store_path) as store:
        profile_id = store.create_profile(_with_review("2026-12-01"))
        current = store.current(profile_id)
        with pytest.raises(ProfileError, match="is in the past"):
            store.update_profile(
                profile_id, {**current, "consent": {**current["consent"], "review_date": "2026-01-01"}}
            )
        [overdue] = store.import_profiles([_with_review("2020-01-01", "Bob")])  # old files still load
        assert store.view(overdue)["consent"]["review_date"] == "2020-01-01"
        profile = store.current(overdue)
        edited = {**profile, "captions": {**profile["captions"], "font_pt": 72}}
        assert store.update_profile(overdue, edited) == 2  # the old date is kept, not re-judged
        moved = {**edited, "consent": {**edited["consent"], "review_date": "2027-01-01"}}
        assert store.update_profile(overdue, moved) == 3
        assert store.revert(overdue, 1) == 4  # putting an old version back is not setting a date
        assert store.verify().ok


def test_only_a_newly_set_past_date_is_a_problem() -> None:
    today = datetime(2026, 6, 15).date()
    past, future = validate_profile(_with_review("2020-01-01")), validate_profile(_with_review("2030-01-01"))
    assert review_date_problems(None, past, today) and review_date_problems(future, past, today)
    assert review_date_problems(past, past, today) == []
    assert review_date_problems(None, future, today) == []
    assert (
        review_date_problems(None, {"consent": {"review_date": "2020-13-01"}}, today) == []
    )  # the schema reports it
