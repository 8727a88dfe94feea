"""`hark phrases ...` end to end, in-process, against files in a temporary folder."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from assistant.cli.main import main
from assistant.conversation.favourites import favourites_path
from assistant.conversation.phrase_files import builtin_library, user_library_path
from profiles.crypto import SCRYPT_N_ENV
from profiles.store import ProfileStore


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["phrases", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_the_built_in_phrases_by_group(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert out.startswith(f"The built-in phrases ({len(builtin_library())})")
    assert "Introductions (intro)" in out and "Breaks and endings (endings)" in out
    assert "intro.my-name" in out and "My name is {assessor}." in out
    code, out, _ = run(capsys, "list", "--group", "comfort")
    assert "Checking comfort and hearing" in out and "Introductions" not in out


def test_add_edit_remove_save_the_users_copy(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "add", "--group", "choices", "Do you want to stay here?")
    assert (code, err) == (0, "")
    assert "Added choices.do-you-want-to" in out
    code, out, _ = run(capsys, "edit", "choices.do-you-want-to", "Do", "you", "want", "to", "live", "here?")
    assert code == 0 and '"Do you want to live here?"' in out
    code, out, _ = run(capsys, "remove", "intro.social-worker")
    assert code == 0
    code, out, _ = run(capsys, "list", "--group", "choices")
    assert out.startswith(f"Your phrases, from {user_library_path()}")
    assert re.search(r"^  choices\.do-you-want-to +Do you want to live here\?$", out, re.M)
    data = json.loads(user_library_path().read_text(encoding="utf-8"))
    assert "intro.social-worker" not in {p["id"] for p in data["phrases"]}


def test_a_hard_phrase_is_saved_with_a_tip(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys,
        "add",
        "--group",
        "decision",
        "We must ascertain your views regarding the proposed change of accommodation.",
    )
    assert code == 0
    assert err.startswith("Tip: decision.we-must-ascertain-your may be hard to follow") and "ascertain" in err


def test_mistakes_get_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "edit", "intro.helo", "Hi.")
    assert code == 2 and out == ""
    assert (
        err == "hark phrases edit: There is no phrase with the id 'intro.helo'. Did you mean intro.hello?\n"
    )
    code, _, err = run(capsys, "add", "--group", "intro", "Hello {name}.")
    assert code == 2 and "{name}, which Hark cannot fill in" in err
    assert not user_library_path().exists()
    with pytest.raises(SystemExit) as caught:
        main(["phrases", "add", "--group", "greetings", "Hi."])
    assert caught.value.code == 2


def test_a_corrupt_library_is_listed_from_the_built_in_and_never_edited(
    capsys: pytest.CaptureFixture[str], private_files: Path
) -> None:
    path = user_library_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"schema": "hark.phrases", "version": 7, "phrases": []}')
    code, out, err = run(capsys, "list")
    assert code == 0 and out.startswith("The built-in phrases")
    assert err.startswith(f"Warning: The phrase library {path} cannot be used (1 problem): it is version 7")
    code, _, err = run(capsys, "add", "--group", "intro", "Hi.")
    assert code == 2 and "Nothing was changed" in err
    assert path.read_bytes() == b'{"schema": "hark.phrases", "version": 7, "phrases": []}'
    code, out, _ = run(capsys, "reset")
    assert code == 0 and "Your phrases were kept in" in out
    backups = list(path.parent.glob("phrases.backup-*.json"))
    assert len(backups) == 1 and backups[0].read_bytes().startswith(
        b'{"schema": "hark.phrases", "version": 7'
    )
    code, out, _ = run(capsys, "reset")
    assert "Already using the built-in phrases" in out


def test_favourites(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "favourites")
    assert code == 0 and "Favourite phrases for default (0 of at most 50)" in out
    assert "`hark phrases favourites --add ID`" in out
    code, out, _ = run(capsys, "favourites", "--list", "ward-3", "--add", "comfort.drink")
    assert code == 0 and "comfort.drink  Would you like a drink?" in out
    code, _, err = run(capsys, "favourites", "--list", "ward-3", "--add", "comfort.drinks")
    assert code == 2 and "Did you mean comfort.drink?" in err
    run(capsys, "remove", "comfort.drink")
    code, out, _ = run(capsys, "favourites", "--list", "ward-3")
    assert re.search(r"comfort\.drink +\(not in the phrase library any more\)", out)
    code, out, _ = run(capsys, "favourites", "--list", "ward-3", "--remove", "comfort.drink")
    assert (
        code == 0 and "(0 of at most 50)" in out and "`hark phrases favourites --list ward-3 --add ID`" in out
    )
    code, _, err = run(capsys, "favourites", "--list", "ward-3", "--remove", "comfort.drink")
    assert code == 2 and "`hark phrases favourites --list ward-3` lists them" in err
    code, _, err = run(capsys, "favourites", "--list", "Ada Lovelace")
    assert code == 2 and "never the person's name" in err
    assert json.loads(favourites_path().read_text(encoding="utf-8"))["people"] == {}


def test_favourites_flags_say_what_kind_of_key_they_take(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "favourites", "--profile", "ward-3")
    assert code == 2 and "'ward-3' is not a profile id" in err and "--list KEY" in err
    code, _, err = run(capsys, "favourites", "--list", "prf_AAAAAAAAAAAAAAAA")
    assert code == 2 and "use --profile prf_AAAAAAAAAAAAAAAA" in err
    with pytest.raises(SystemExit) as caught:
        main(["phrases", "favourites", "--profile", "prf_AAAAAAAAAAAAAAAA", "--list", "ward-3"])
    assert caught.value.code == 2


def test_the_old_person_flag_of_favourites_still_works_with_a_note(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "favourites", "--person", "ward-3", "--add", "comfort.drink")
    assert code == 0 and "comfort.drink  Would you like a drink?" in out
    assert err.startswith("Note: `hark phrases favourites --person` is deprecated")
    assert "--profile ID" in err and "--list KEY" in err
    assert json.loads(favourites_path().read_text(encoding="utf-8"))["people"] == {
        "ward-3": ["comfort.drink"]
    }


@pytest.fixture
def profile_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A real encrypted store holding one profile, whose preferred name is Ada; its id."""
    path = tmp_path / "profiles.sqlite3"
    store = ProfileStore.create(path, "a test passphrase", "Test Assessor", scrypt_n=1024)
    profile_id = store.create_profile({"identity": {"preferred_name": "Ada"}})
    store.close()
    for name, value in {
        "HARK_STORE": str(path),
        "HARK_PASSPHRASE": "a test passphrase",
        "HARK_USER": "Test Assessor",
        SCRYPT_N_ENV: "1024",
    }.items():
        monkeypatch.setenv(name, value)
    return profile_id


def test_favourites_of_a_profile_are_kept_in_it(
    capsys: pytest.CaptureFixture[str], profile_store: str
) -> None:
    code, out, err = run(capsys, "favourites", "--profile", profile_store, "--add", "comfort.drink")
    assert (code, err) == (0, "")
    assert f"Added comfort.drink to {profile_store}'s favourites." in out
    store = ProfileStore.open(Path(os.environ["HARK_STORE"]), "a test passphrase", "Test Assessor")
    try:
        assert store.current(profile_store)["phrases"]["favourites"] == ["comfort.drink"]
    finally:
        store.close()
    assert not favourites_path().exists()  # nothing about the person in the plain file


def test_say_fills_the_persons_name_from_the_profile(
    capsys: pytest.CaptureFixture[str], profile_store: str, tmp_path: Path
) -> None:
    out = tmp_path / "phrase.wav"
    code, _, err = run(capsys, "say", "intro.your-name", "--profile", profile_store, "--out", str(out))
    assert code == 0, err
    assert err.startswith("Can I call you Ada?\n") and out.stat().st_size > 1000
    named = tmp_path / "named.wav"
    code, _, err = run(
        capsys,
        "say",
        "intro.your-name",
        "--profile",
        profile_store,
        "--person",
        "Mrs Lovelace",
        "--out",
        str(named),
    )
    assert code == 0 and err.startswith("Can I call you Mrs Lovelace?\n")  # the flag wins, as in captions


def test_say_refuses_a_gap_and_names_the_flags_that_fill_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "gap.wav"
    code, _, err = run(capsys, "say", "intro.your-name", "--out", str(out))
    assert code == 2 and not out.exists()
    assert "cannot be used until it is filled in" in err and err.rstrip().endswith(
        "Give --person NAME (or --profile ID)."
    )
