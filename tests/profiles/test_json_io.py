"""JSON import: hostile and malformed files are refused whole, cheaply, with every reason; nothing is imported."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from profiles.errors import ProfileError
from profiles.json_io import MAX_FILE_BYTES, load_json, read_import, write_profile
from profiles.store import ProfileStore


def _refused(path: Path) -> ProfileError:
    with pytest.raises(ProfileError) as caught:
        read_import(path)
    return caught.value


def _write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "import.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_export_then_import_round_trips(
    tmp_path: Path, store: ProfileStore, full_profile: dict[str, Any]
) -> None:
    profile_id = store.create_profile(full_profile)
    write_profile(store.view(profile_id), tmp_path / "out.json")
    store.delete_profile(profile_id)
    assert store.import_profiles(read_import(tmp_path / "out.json")) == [profile_id]  # a restore keeps the id
    assert store.view(profile_id) == {**full_profile, "id": profile_id}


def test_a_collection_imports_all_or_nothing(tmp_path: Path, store: ProfileStore) -> None:
    good = {
        "schema": "hark.profiles",
        "version": 1,
        "profiles": [{"preferred_name": "Ada"}, {"identity": {"preferred_name": "Bob"}}],
    }
    ids = store.import_profiles(read_import(_write(tmp_path, json.dumps(good))))
    assert sorted(summary.preferred_name for summary in store.list_profiles()) == ["Ada", "Bob"]
    assert len(set(ids)) == 2
    bad = {
        **good,
        "profiles": [{"preferred_name": "Cy"}, {"identity": {"preferred_name": "Di"}, "speech": 3}],
    }
    assert _refused(_write(tmp_path, json.dumps(bad))).problems == [
        "profiles[1].speech: must be an object, not a number"
    ]
    again = store.view(ids[0])
    with pytest.raises(ProfileError, match="is already in this store"):
        store.import_profiles([{"preferred_name": "Cy"}, again])
    assert len(store.list_profiles()) == 2


def test_duplicate_ids_in_one_import_are_refused(tmp_path: Path) -> None:
    twin = {"id": "prf_ABCDEFGHIJKLMNOP", "identity": {"preferred_name": "Ada"}}
    document = {
        "schema": "hark.profiles",
        "version": 1,
        "profiles": [twin, {**twin, "identity": {"preferred_name": "Other"}}],
    }
    assert _refused(_write(tmp_path, json.dumps(document))).problems == [
        "profiles[1].id: prf_ABCDEFGHIJKLMNOP is also the id of profiles[0]; each person once"
    ]


def test_unknown_versions_are_refused(tmp_path: Path) -> None:
    error = _refused(_write(tmp_path, json.dumps({"version": 7, "identity": {"preferred_name": "Ada"}})))
    assert (
        "version: 7 is not a profile version this Hark can read (it reads versions 1 and 2)"
        in error.problems[0]
    )
    error = _refused(
        _write(tmp_path, json.dumps({"schema": "hark.profiles", "version": 3, "profiles": [{}]}))
    )
    assert error.problems[0].startswith("version: 3 is not a collection version")


def test_every_reason_is_listed_together(tmp_path: Path) -> None:
    text = '{"identity": {"preferred_name": "Ada", "preferred_name": "Ada"}, "captions": {"font_pt": NaN}}'
    error = _refused(_write(tmp_path, text))
    assert error.problems == [
        "the key 'preferred_name' appears twice in one object; keep one",
        "NaN is not a number JSON allows; use a number or null",
    ]
    error = _refused(
        _write(
            tmp_path, json.dumps({"identity": {"preferred_name": 5}, "speech": {"volume": 2}, "extra": True})
        )
    )
    assert [problem.split(":")[0] for problem in error.problems] == [
        "extra",
        "identity.preferred_name",
        "speech.volume",
    ]
    assert error.headline.startswith(f"Nothing was imported from {tmp_path / 'import.json'} (3 problems)")


def test_a_100_mb_field_is_refused_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as file:
        file.write(b'{"identity": {"preferred_name": "')
        chunk = b"A" * 1_000_000
        for _ in range(100):
            file.write(chunk)
        file.write(b'"}}')
    tracemalloc.start()
    try:
        error = _refused(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "is larger than 1,000,000 bytes" in str(error) and "nothing was read from it" in str(error)
    assert peak < 3 * MAX_FILE_BYTES


def test_a_field_just_over_its_limit_in_a_small_file_is_named(tmp_path: Path) -> None:
    error = _refused(_write(tmp_path, json.dumps({"identity": {"preferred_name": "A" * 5000}})))
    assert error.problems == ["identity.preferred_name: is 5,000 characters long; the most allowed is 200"]


@pytest.mark.parametrize("depth", [17, 100_000])
def test_deep_nesting_is_refused_before_parsing(tmp_path: Path, depth: int) -> None:
    error = _refused(_write(tmp_path, "[" * depth + "]" * depth))
    assert "nests objects or lists more than 16 deep" in str(error)


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path: Path) -> None:
    text = json.dumps({"identity": {"preferred_name": 'Ada [[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{{{{{{ " ]'}})
    assert read_import(_write(tmp_path, text))[0]["identity"]["preferred_name"].startswith("Ada [[[")


def test_non_utf8_bytes_are_refused(tmp_path: Path) -> None:
    error = _refused(_write(tmp_path, b'{"preferred_name": "Ad\xe9"}'))
    assert "is not UTF-8 text: byte 0xe9 at position 22" in str(error)
    assert (
        read_import(_write(tmp_path, b'\xef\xbb\xbf{"preferred_name": "Ada"}'))[0]["identity"][
            "preferred_name"
        ]
        == "Ada"
    )  # a byte-order mark is fine


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is not valid JSON: Expecting value at line 1, column 1"),
        (b'{"preferred_name": "Ada",}', "is not valid JSON"),
        (
            b'{"identity": {"preferred_name": "A"}, "captions": {"lines": ' + b"9" * 5000 + b"}}",
            "a number with 5000 digits",
        ),
        (b'"just a string"', "the profile: must be an object, not text"),
        (
            b'{"preferred_name": "\\ud800"}',
            "identity.preferred_name: contains a control or invalid character",
        ),
    ],
)
def test_malformed_files_get_one_clear_reason(tmp_path: Path, content: bytes, expected: str) -> None:
    assert expected in str(_refused(_write(tmp_path, content)))


def test_missing_files_and_folders(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="There is no file"):
        load_json(tmp_path / "nope.json")
    with pytest.raises(ProfileError, match="is a folder"):
        load_json(tmp_path)
