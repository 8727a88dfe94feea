"""`hark profiles` end to end, through a real subprocess, with the passphrase from $HARK_PASSPHRASE."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.profiles.conftest import PASSPHRASE, TEST_SCRYPT_N

ROOT = Path(__file__).resolve().parents[2]


class Hark:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.env = {
            **os.environ,
            "HARK_STORE": str(tmp_path / "store.sqlite3"),
            "HARK_PASSPHRASE": PASSPHRASE,
            "HARK_SCRYPT_N": str(TEST_SCRYPT_N),
            "HARK_USER": "Cli Assessor",
            "QT_QPA_PLATFORM": "offscreen",
        }

    def __call__(
        self, *args: str, stdin: str = "", code: int = 0, **env: str
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "ui.main", "profiles", *args],
            cwd=ROOT,
            env={**self.env, **env},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == code, (result.stdout, result.stderr)
        return result

    def file(self, name: str, value: object) -> str:
        path = self.tmp / name
        path.write_text(json.dumps(value), encoding="utf-8")
        return str(path)


@pytest.fixture
def hark(tmp_path: Path) -> Hark:
    runner = Hark(tmp_path)
    assert "lowers the passphrase cost to 1024" in runner("init").stderr
    return runner


def test_the_whole_life_of_a_profile(hark: Hark, tmp_path: Path) -> None:
    created = hark("create", "--from", hark.file("ada.json", {"preferred_name": "Ada"}))
    profile_id = created.stdout.strip()
    assert created.stdout == f"{profile_id}\n" and profile_id.startswith("prf_")
    patch = {"captions": {"font_pt": 72}, "consent": {"review_date": "2099-01-01"}}
    assert "is now at version 2" in hark("edit", profile_id, "--from", hark.file("patch.json", patch)).stdout
    listing = hark("list").stdout
    assert profile_id in listing and "Ada" in listing and "2099-01-01" in listing and "OVERDUE" not in listing
    assert "font pt: 72" in hark("show", profile_id).stdout
    assert (
        json.loads(hark("show", profile_id, "--version", "1", "--json").stdout)["captions"]["font_pt"] == 48
    )
    history = hark("history", profile_id).stdout.splitlines()
    assert history[1].endswith("changed: captions.font_pt, consent.review_date")
    assert "is now at version 3" in hark("edit", profile_id, "--revert", "1").stdout

    out = tmp_path / "ada-export.json"
    hark("export", profile_id, "--format", "json", "--out", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["id"] == profile_id and exported["captions"]["font_pt"] == 48
    assert (
        "already exists" in hark("export", profile_id, "--format", "json", "--out", str(out), code=2).stderr
    )
    del exported["id"]
    imported = hark("import", hark.file("copy.json", exported)).stdout.split()
    assert len(imported) == 1 and imported[0] != profile_id

    verified = hark("audit", "--verify")
    assert verified.stdout.startswith("Verified: ") and "2 profiles, 4 versions" in verified.stdout
    actions = [line.split()[4] for line in hark("audit", "--id", profile_id).stdout.splitlines()]
    assert actions == ["create", "edit", "view", "view", "history", "revert", "export"]

    sar = tmp_path / "sar"
    hark("sar", profile_id, "--out", str(sar))
    names = sorted(path.name for path in sar.iterdir())
    assert {"README.txt", "profile.json", "history.json", "sessions.json", "audit.json"} <= set(names)
    readme = (sar / "README.txt").read_text(encoding="utf-8")
    assert readme.startswith("Everything Hark holds about Ada") and profile_id in readme
    assert len(json.loads((sar / "history.json").read_text(encoding="utf-8"))) == 3

    hark("passwd", HARK_NEW_PASSPHRASE="a changed passphrase")
    wrong = hark("list", code=2)
    assert wrong.stderr == (
        "hark profiles list: The passphrase is wrong for this store; nothing was read or "
        "changed. Check it and try again.\n"
    )
    hark("delete", profile_id, "--yes", HARK_PASSPHRASE="a changed passphrase")
    assert profile_id not in hark("list", HARK_PASSPHRASE="a changed passphrase").stdout


def test_pdf_and_fhir_exports_and_who_is_recorded(hark: Hark, tmp_path: Path) -> None:
    pytest.importorskip("profiles.fhir")
    pytest.importorskip("ui.passport_pdf")
    profile_id = hark(
        "--as", "Pat Front", "create", "--from", hark.file("a.json", {"preferred_name": "Ada"})
    ).stdout
    profile_id = profile_id.strip()
    hark("export", profile_id, "--format", "pdf", "--out", str(tmp_path / "a.pdf"), "--as", "Pat Back")
    hark("export", profile_id, "--format", "fhir", "--out", str(tmp_path / "a.fhir.json"))
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    assert json.loads((tmp_path / "a.fhir.json").read_text(encoding="utf-8"))["resourceType"] == "Bundle"
    log = hark("audit", "--id", profile_id).stdout.splitlines()
    assert ["Pat Front" in log[0], "Pat Back  export" in log[1], "Cli Assessor  export" in log[2]] == [
        True
    ] * 3
    assert "format=pdf" in log[1] and "format=fhir" in log[2]


def test_interactive_create_prints_only_the_id(hark: Hark) -> None:
    answers = "\n".join(
        [
            "Bea",
            "",
            "",
            "1940-13-01",
            "1940-01-13",
            "Speak to my left side",
            "",
            "",
            "",
            "",
            "3",
            "Only for long meetings",
            "",
            "",
            "best_interests",
            "2020-01-01",
            "2099-01-01",
            "",
        ]
    )
    created = hark("create", stdin=answers)
    profile_id = created.stdout.strip()
    assert created.stdout == f"{profile_id}\n"
    assert "must be a date written YYYY-MM-DD" in created.stderr
    assert "2020-01-01 is in the past; give the day the profile should next be checked" in created.stderr
    profile = json.loads(hark("show", profile_id, "--json").stdout)
    assert profile["identity"]["date_of_birth"] == "1940-01-13"
    assert profile["communication"]["what_helps"] == "Speak to my left side"
    assert profile["consent"] | {"recorded_at": None} == {
        "recorded_by": "Cli Assessor",
        "recorded_at": None,
        "basis": "best_interests",
        "basis_note": "",
        "agreed_to": {"store_profile": True, "keep_transcripts": False, "share": False},
        "review_date": "2099-01-01",
    }
    assert [need["note"] for need in profile["needs"]] == ["Only for long meetings"]
    stopped = hark("create", stdin="Cy\n", code=2)
    assert "nothing was saved" in stopped.stderr and stopped.stdout == ""


def test_a_past_review_date_is_refused_when_set_but_an_overdue_profile_is_flagged_and_usable(
    hark: Hark,
) -> None:
    old = hark.file(
        "old.json", {"identity": {"preferred_name": "Ada"}, "consent": {"review_date": "2020-01-01"}}
    )
    refused = hark("create", "--from", old, code=2)
    assert "consent.review_date: 2020-01-01 is in the past" in refused.stderr
    assert "or later, or leave it empty" in refused.stderr
    imported = hark("import", old)  # a profile kept from before still loads, with its date intact
    profile_id = imported.stdout.strip()
    assert imported.stderr == "Imported 1 profile.\n"
    assert "2020-01-01  OVERDUE" in hark("list").stdout
    font = hark.file("font.json", {"captions": {"font_pt": 72}})
    assert "is now at version 2" in hark("edit", profile_id, "--from", font).stdout
    past = hark.file("past.json", {"consent": {"review_date": "2021-01-01"}})
    assert "2021-01-01 is in the past" in hark("edit", profile_id, "--from", past, code=2).stderr
    assert "1 profile, 2 versions and 0 sessions all decrypt" in hark("audit", "--verify").stdout


def test_bad_imports_change_nothing(hark: Hark, tmp_path: Path) -> None:
    hark("create", "--from", hark.file("ada.json", {"preferred_name": "Ada"}))
    bad = {
        "schema": "hark.profiles",
        "version": 1,
        "profiles": [
            {"preferred_name": "Fine"},
            {"identity": {"preferred_name": "Bad"}, "hearing": {"listening": {"gain_db": 80}}},
        ],
    }
    refused = hark("import", hark.file("bad.json", bad), code=2)
    assert refused.stderr.splitlines() == [
        f"hark profiles import: Nothing was imported from {tmp_path / 'bad.json'} (1 problem):",
        "  - profiles[1].hearing.listening.gain_db: 80 is above the maximum 50 dB",
    ]
    (tmp_path / "latin1.json").write_bytes(b'{"preferred_name": "Ren\xe9e"}')
    assert "is not UTF-8 text" in hark("import", str(tmp_path / "latin1.json"), code=2).stderr
    assert len(hark("list").stdout.splitlines()) == 2  # the header and Ada


def test_tampering_fails_verification_naming_the_entry(hark: Hark, tmp_path: Path) -> None:
    hark("create", "--from", hark.file("ada.json", {"preferred_name": "Ada"}))
    hark("list")
    with sqlite3.connect(tmp_path / "store.sqlite3") as raw:
        raw.execute("DELETE FROM audit WHERE seq = 2")
    failed = hark("audit", "--verify", code=1)
    assert "audit entry 2 is missing (the log jumps from entry 1 to 3)" in failed.stderr


def test_delete_asks_first(hark: Hark) -> None:
    profile_id = hark("create", "--from", hark.file("ada.json", {"preferred_name": "Ada"})).stdout.strip()
    kept = hark("delete", profile_id, stdin="no\n", code=1)
    assert "Delete Ada" in kept.stderr and "Nothing was deleted." in kept.stderr
    hark("delete", profile_id, stdin="yes\n")
    assert "No profiles yet" in hark("list").stdout


def test_missing_store_and_unknown_ids_are_clear(tmp_path: Path) -> None:
    hark = Hark(tmp_path)
    missing = hark("list", code=2)
    assert "There is no profile store at" in missing.stderr and "hark profiles init" in missing.stderr
    hark("init")
    assert "There is no profile prf_AAAAAAAAAAAAAAAA" in hark("show", "prf_AAAAAAAAAAAAAAAA", code=2).stderr
    assert "There is no profile with that id in this store" in hark("show", "ada", code=2).stderr
    assert "already exists" in hark("init", code=2).stderr
    assert (
        "at least 8 characters"
        in hark("init", "--store", str(tmp_path / "b.sqlite3"), HARK_PASSPHRASE="short", code=2).stderr
    )
