"""Speech model management: the catalogue, where models live, installing, checking, removing.

No Qt and no network here except in `install_from_url`, which only runs when the user
asks for an install. Installs are atomic: the archive is unpacked into a hidden staging
folder inside the models folder, checked to be a Vosk model, given its checksum record
(see model_manifest) and only then renamed into place, so a failure never leaves a half
model where `installed_models()` or the captions engine would find it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.speech_models import archive as model_archive
from assistant.speech_models import manifest as model_manifest
from assistant.speech_models.catalogue import (
    RECOMMENDED_ENGLISH_MODEL,
    Accuracy,
    CatalogueEntry,
    catalogue,
    catalogue_entry,
    language_from_name,
)
from assistant.speech_models.download import Progress, download
from assistant.speech_models.errors import ModelError

__all__ = [
    "Accuracy",
    "CatalogueEntry",
    "InstalledModel",
    "ModelError",
    "VerifyResult",
    "catalogue",
    "install_from_file",
    "install_from_url",
    "installed_model_path",
    "installed_models",
    "model_path",
    "models_dir",
    "remove",
    "verify",
]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
# Staging folders older than this are leftovers of a crash or power cut and are cleared.
_STALE_S = 3600.0


@dataclass(frozen=True)
class InstalledModel:
    name: str
    path: Path
    language: str | None
    size_bytes: int
    has_manifest: bool
    archive_sha256: str | None
    in_catalogue: bool


@dataclass(frozen=True)
class VerifyResult:
    name: str
    path: Path
    ok: bool
    problems: tuple[str, ...]
    files_checked: int


def models_dir() -> Path:
    """Where models are installed: $HARK_MODELS, else models/installed/ in a source checkout, else user data."""
    override = os.environ.get("HARK_MODELS")
    if override:
        return Path(override).expanduser()
    checkout = Path(__file__).resolve().parent.parent
    if (
        (checkout / "pyproject.toml").is_file()
        and (checkout / ".git").exists()
        and (checkout / "models").is_dir()
    ):
        return checkout / "models" / "installed"
    import platformdirs

    return Path(platformdirs.user_data_dir("hark")) / "models"


def _check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ModelError(
            f"{name!r} is not a usable model name: use letters, digits, '.', '-' and '_' only "
            f"(for example {RECOMMENDED_ENGLISH_MODEL})."
        )
    return name


def _describe(folder: Path) -> InstalledModel:
    record = None
    # An unreadable record is listed as missing; verify and model_path report the detail.
    with contextlib.suppress(ModelError):
        record = model_manifest.read_manifest(folder)
    entry = catalogue_entry(folder.name)
    language = (record or {}).get("language") or (
        entry.language if entry else language_from_name(folder.name)
    )
    if record is not None:
        size = model_manifest.manifest_size(record)
    else:
        size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    return InstalledModel(
        name=folder.name,
        path=folder,
        language=language,
        size_bytes=size,
        has_manifest=record is not None,
        archive_sha256=(record or {}).get("archive_sha256"),
        in_catalogue=entry is not None,
    )


def installed_models() -> list[InstalledModel]:
    """Every model folder in models_dir(), catalogued or not, sorted by name."""
    root = models_dir()
    if not root.is_dir():
        return []
    return [_describe(f) for f in sorted(root.iterdir()) if f.is_dir() and not f.name.startswith(".")]


def installed_model_path(language: str) -> Path | None:
    """The best installed model for a language ("en" matches en-US and en-IN; "en-GB" falls back to any en).

    An exact regional match wins; otherwise the larger model, which for Vosk is the more
    accurate one. Models whose checksum record is missing are skipped.
    """
    wanted = language.strip().lower().replace("_", "-")
    primary = wanted.split("-")[0]
    ranked = []
    for model in installed_models():
        have = (model.language or "").lower()
        if not model.has_manifest or not have or have.split("-")[0] != primary:
            continue
        ranked.append((have == wanted, model.size_bytes, model.path))
    return max(ranked)[2] if ranked else None


def model_path(name_or_path: str) -> Path:
    """An installed model by name, or a model folder by path, checked quickly; ModelError otherwise."""
    looks_like_path = any(sep in name_or_path for sep in ("/", "\\")) or name_or_path.startswith((".", "~"))
    if looks_like_path:
        folder = Path(name_or_path).expanduser()
        if not folder.is_dir():
            raise ModelError(
                f"The model folder {folder} does not exist. Check the path, or use an installed model name."
            )
    else:
        folder = models_dir() / _check_name(name_or_path)
        if not folder.is_dir():
            names = ", ".join(m.name for m in installed_models()) or "none"
            raise ModelError(
                f"No model named {name_or_path} is installed in {models_dir()} (installed: {names}). "
                f"Install it with `hark models install {name_or_path}`; `hark models list` shows the choices."
            )
    problems = model_archive.layout_problems(folder)
    if problems:
        raise ModelError(
            f"{folder} is not a usable Vosk model: {problems[0]}. Reinstall it or choose another model."
        )
    record = model_manifest.read_manifest(folder)
    if record is None:
        if looks_like_path:
            return folder  # the user's own folder: nothing recorded to compare with
        raise ModelError(
            f"The model {folder.name} in {models_dir()} has no checksum record, so it cannot be trusted: it was "
            f"copied in by hand or its install was interrupted. Move it elsewhere and install it with "
            "`hark models install --from-file FOLDER`."
        )
    problems = model_manifest.quick_check(folder, record)
    if problems:
        raise ModelError(
            f"The model {folder.name} has been changed or damaged since it was installed: "
            f"{'; '.join(problems[:3])}. Run `hark models verify {folder.name}` for a full check, then "
            f"`hark models remove {folder.name}` and install it again."
        )
    return folder


def _target_for(name: str) -> Path:
    target = models_dir() / _check_name(name)
    if target.exists():
        raise ModelError(
            f"A model named {name} is already installed at {target}. "
            f"Remove it first with `hark models remove {name}` to replace it."
        )
    return target


def _staging_folder() -> Path:
    root = models_dir()
    root.mkdir(parents=True, exist_ok=True)
    for leftover in root.glob(".staging-*"):
        if time.time() - leftover.stat().st_mtime > _STALE_S:
            shutil.rmtree(leftover, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=".staging-", dir=root))


def _finish(staging: Path, target: Path, source: str, archive_sha256: str | None) -> InstalledModel:
    """Check the unpacked model, record its checksums and rename it into place in one step."""
    root = model_archive.find_model_root(staging, source)
    entry = catalogue_entry(target.name)
    language = entry.language if entry else language_from_name(target.name)
    model_manifest.write_manifest(
        root, name=target.name, language=language, source=source, archive_sha256=archive_sha256
    )
    if target.exists():  # another install finished meanwhile
        raise ModelError(
            f"A model named {target.name} appeared at {target} during the install; nothing was changed."
        )
    os.replace(root, target)
    return _describe(target)


def _install_zip(archive: Path, name: str, source: str, archive_sha256: str) -> InstalledModel:
    target = _target_for(name)
    staging = _staging_folder()
    try:
        model_archive.extract_zip(archive, staging)
        return _finish(staging, target, source, archive_sha256)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def install_from_url(
    url: str, name: str, progress: Progress | None = None, expected_sha256: str | None = None
) -> InstalledModel:
    """Download a model .zip (resuming a previous partial download) and install it as `name`."""
    _target_for(name)  # fail before downloading anything
    part = models_dir() / ".downloads" / f"{name}.zip.part"
    download(url, part, progress)
    # From here on the bytes are complete; if they are wrong, resuming them again cannot help.
    try:
        digest = model_manifest.sha256_of(part)
        if expected_sha256 and digest.lower() != expected_sha256.lower():
            raise ModelError(
                f"The download of {url} is not the expected file: its SHA-256 is {digest}, the catalogue "
                f"expects {expected_sha256}. It was deleted; try again later, or report it if it persists."
            )
        return _install_zip(part, name, url, digest)
    finally:
        part.unlink(missing_ok=True)


def install_from_file(path: str | Path, name: str | None = None) -> InstalledModel:
    """Install a model .zip or an already unpacked model folder, e.g. from a USB stick."""
    source = Path(path).expanduser()
    if source.is_dir():
        target = _target_for(name or source.name)
        staging = _staging_folder()
        try:
            model_archive.find_model_root(source, str(source))  # refuse before copying 2 GB
            model_archive.copy_model_folder(source, staging / "model")
            return _finish(staging, target, str(source.resolve()), None)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    if not source.is_file():
        raise ModelError(
            f"{source} does not exist. Give the path of a model .zip or of an unpacked model folder."
        )
    default = source.name[: -len(".zip")] if source.name.lower().endswith(".zip") else source.stem
    return _install_zip(source, name or default, str(source.resolve()), model_manifest.sha256_of(source))


def verify(name: str) -> VerifyResult:
    """Re-hash every file of an installed model against the record made at install."""
    folder = models_dir() / _check_name(name)
    if not folder.is_dir():
        raise ModelError(
            f"No model named {name} is installed in {models_dir()}. `hark models list` shows what is."
        )
    problems = list(model_archive.layout_problems(folder))
    try:
        record = model_manifest.read_manifest(folder)
    except ModelError as error:
        return VerifyResult(name, folder, False, (*problems, str(error)), 0)
    if record is None:
        problems.append("there is no checksum record (hark-manifest.json): reinstall the model to create one")
        return VerifyResult(name, folder, False, tuple(problems), 0)
    found, checked = model_manifest.full_check(folder, record)
    problems.extend(found)
    return VerifyResult(name, folder, not problems, tuple(problems), checked)


def remove(name: str) -> None:
    """Delete an installed model. It is renamed away first, so a half-deleted model is never found."""
    folder = models_dir() / _check_name(name)
    if not folder.is_dir():
        raise ModelError(
            f"No model named {name} is installed in {models_dir()}. `hark models list` shows what is."
        )
    doomed = Path(tempfile.mkdtemp(prefix=".staging-removing-", dir=models_dir())) / name
    try:
        os.replace(folder, doomed)
    except OSError as error:
        shutil.rmtree(doomed.parent, ignore_errors=True)
        raise ModelError(
            f"Cannot remove {folder}: {error.strerror or error}. Close Hark if it is using the model."
        ) from None
    shutil.rmtree(doomed.parent, ignore_errors=True)
