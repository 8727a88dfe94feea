"""Archives that must be refused: damaged, zip-slip, symbolic links, not a model. Nothing may be left behind."""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from model_helpers import ModelZip, assert_nothing_half_installed, make_fake_model, zip_folder

from assistant.speech_models import manage as models


@pytest.fixture
def fake_zip(tmp_path: Path) -> Path:
    return zip_folder(
        make_fake_model(tmp_path / "src", graph_bytes=200_000), tmp_path / "fake.zip", "vosk-model-fake"
    )


def test_a_fake_model_zip_installs(fake_zip: Path, models_home: Path) -> None:
    model = models.install_from_file(fake_zip)
    assert model.name == "fake" and (model.path / "am" / "final.mdl").is_file()
    assert_nothing_half_installed(models_home, {"fake"})


def test_corrupt_zip_is_refused(model_zip: ModelZip, tmp_path: Path, models_home: Path) -> None:
    damaged = tmp_path / "vosk-model-damaged.zip"
    shutil.copyfile(model_zip.path, damaged)
    with damaged.open("r+b") as stream:  # flip bytes in the middle of the file data
        stream.seek(damaged.stat().st_size // 2)
        chunk = stream.read(64)
        stream.seek(-64, 1)
        stream.write(bytes(b ^ 0xFF for b in chunk))
    with pytest.raises(models.ModelError, match=r"is damaged: reading .* failed .*Download the model again"):
        models.install_from_file(damaged)
    assert_nothing_half_installed(models_home)


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path, models_home: Path) -> None:
    bogus = tmp_path / "model.zip"
    bogus.write_text("<html>Service unavailable</html>")
    with pytest.raises(models.ModelError, match="not a readable zip file"):
        models.install_from_file(bogus)
    assert_nothing_half_installed(models_home)


def _zip_with(tmp_path: Path, extra: zipfile.ZipInfo, content: bytes = b"pwned") -> Path:
    path = tmp_path / "evil.zip"
    model = make_fake_model(tmp_path / "evil-src")
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(model.rglob("*")):
            if file.is_file():
                archive.write(file, "vosk-model-evil/" + file.relative_to(model).as_posix())
        archive.writestr(extra, content)
    return path


@pytest.mark.parametrize("entry", ["../evil.txt", "vosk-model-evil/../../evil.txt"])
def test_zip_slip_with_dot_dot_is_refused(entry: str, tmp_path: Path, models_home: Path) -> None:
    archive = _zip_with(tmp_path, zipfile.ZipInfo(entry))
    with pytest.raises(
        models.ModelError, match=r"climbs out of the folder with '\.\.'.*nothing was unpacked"
    ):
        models.install_from_file(archive)
    assert not list(tmp_path.rglob("evil.txt"))
    assert_nothing_half_installed(models_home)


def test_zip_slip_with_absolute_path_is_refused(tmp_path: Path, models_home: Path) -> None:
    outside = tmp_path / "outside" / "evil.txt"
    archive = _zip_with(tmp_path, zipfile.ZipInfo(str(outside)))
    with pytest.raises(models.ModelError, match="has an absolute path"):
        models.install_from_file(archive)
    assert not outside.exists()
    assert_nothing_half_installed(models_home)


def test_symbolic_link_entries_are_refused(tmp_path: Path, models_home: Path) -> None:
    link = zipfile.ZipInfo("vosk-model-evil/graph/link")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive = _zip_with(tmp_path, link, b"/etc/passwd")
    with pytest.raises(models.ModelError, match="is a symbolic link"):
        models.install_from_file(archive)
    assert_nothing_half_installed(models_home)


def test_a_zip_that_is_not_a_model_is_refused(tmp_path: Path, models_home: Path) -> None:
    archive = tmp_path / "holiday-photos.zip"
    with zipfile.ZipFile(archive, "w") as stream:
        stream.writestr("photos/beach.jpg", b"jpeg")
        stream.writestr("README.txt", b"hello")
    with pytest.raises(models.ModelError, match=r"is not a Vosk speech model.*am/final.mdl"):
        models.install_from_file(archive)
    assert_nothing_half_installed(models_home)


def test_a_model_missing_its_graph_is_refused(tmp_path: Path, models_home: Path) -> None:
    source = make_fake_model(tmp_path / "src")
    (source / "graph" / "HCLG.fst").unlink()
    with pytest.raises(models.ModelError, match=r"no graph/HCLG.fst"):
        models.install_from_file(zip_folder(source, tmp_path / "nograph.zip", "vosk-model-nograph"))
    assert_nothing_half_installed(models_home)


def test_a_folder_with_a_symbolic_link_is_refused(tmp_path: Path, models_home: Path) -> None:
    source = make_fake_model(tmp_path / "linked")
    (source / "graph" / "extra").symlink_to("/etc/hostname")
    with pytest.raises(models.ModelError, match="is a symbolic link"):
        models.install_from_file(source, "linked")
    assert_nothing_half_installed(models_home)
