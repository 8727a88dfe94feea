"""The catalogue of official Vosk models a user can pick (models/catalogue.json)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.speech_models.errors import ModelError

# The English model to suggest wherever Hark says which one to install (README, `hark models list`,
# the pocketsphinx fallback's label): its catalogue entry says why.
RECOMMENDED_ENGLISH_MODEL = "vosk-model-en-us-0.22-lgraph"


@dataclass(frozen=True)
class Accuracy:
    dataset: str
    wer_percent: float


@dataclass(frozen=True)
class CatalogueEntry:
    name: str
    language: str
    url: str
    download_mb: float | None
    disk_mb: float | None
    licence: str
    accuracy: tuple[Accuracy, ...]
    recommendation: str
    sha256: str | None = None
    notes: str = ""


def catalogue() -> list[CatalogueEntry]:
    """The models a user can pick (models/catalogue.json); $HARK_MODEL_BASE_URL replaces the download host."""
    # The catalogue ships in the top-level `models` package, a sibling of this package both in a
    # checkout and in site-packages. It is found by path rather than by importing `models`, because
    # a tests/models folder on sys.path would shadow that name.
    path = Path(__file__).resolve().parents[2] / "models" / "catalogue.json"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ModelError(
            f"The model catalogue {path} is missing or unreadable ({error.strerror or error}): Hark is "
            "installed incompletely. Reinstall Hark, or install models with `hark models install --from-file`."
        ) from None
    base = os.environ.get("HARK_MODEL_BASE_URL", "").rstrip("/")
    entries = []
    for item in json.loads(text)["models"]:
        url = f"{base}/{item['name']}.zip" if base else item["url"]
        entries.append(
            CatalogueEntry(
                name=item["name"],
                language=item["language"],
                url=url,
                download_mb=item.get("download_mb"),
                disk_mb=item.get("disk_mb"),
                licence=item["licence"],
                accuracy=tuple(
                    Accuracy(a["dataset"], float(a["wer_percent"])) for a in item.get("accuracy", [])
                ),
                recommendation=item["recommendation"],
                sha256=item.get("sha256"),
                notes=item.get("notes", ""),
            )
        )
    return entries


def catalogue_entry(name: str) -> CatalogueEntry | None:
    return next((entry for entry in catalogue() if entry.name == name), None)


def language_from_name(name: str) -> str | None:
    """The language in an official model name, e.g. vosk-model-small-en-us-0.15 -> en-us."""
    match = re.match(r"vosk-model-(?:small-)?([a-z]{2,3})(?:-([a-z]{2}))?(?:-|$)", name)
    if match is None:
        return None
    return f"{match.group(1)}-{match.group(2)}" if match.group(2) else match.group(1)
