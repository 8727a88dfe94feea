"""Helpers shared by the model tests (a uniquely named module, so it never clashes with another conftest)."""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ModelZip:
    path: Path
    sha256: str
    files: int


def make_fake_model(folder: Path, graph_bytes: int = 4096) -> Path:
    """A folder with a Vosk model's layout (not loadable by Vosk): fast to build, install and corrupt."""
    files = {
        "am/final.mdl": os.urandom(2048),
        "conf/model.conf": b"--min-active=200\n",
        "conf/mfcc.conf": b"--use-energy=false\n",
        "graph/HCLG.fst": os.urandom(graph_bytes),
        "graph/words.txt": b"<eps> 0\nhello 1\n",
        "ivector/final.ie": os.urandom(512),
    }
    for relative, content in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(content)
    return folder


def zip_folder(folder: Path, archive_path: Path, top: str | None = None) -> Path:
    with zipfile.ZipFile(archive_path, "w", compression=zipfile.ZIP_STORED) as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                relative = file.relative_to(folder).as_posix()
                archive.write(file, f"{top}/{relative}" if top else relative)
    return archive_path


@dataclass
class ServerState:
    files: dict[str, Path] = field(default_factory=dict)
    cuts_left: int = 0  # how many of the next responses to cut short
    cut_after: int = 0  # bytes sent before cutting
    honour_range: bool = True
    requests: list[tuple[str, str | None, int]] = field(default_factory=list)  # path, Range, status


@dataclass
class ModelServer:
    base_url: str
    state: ServerState

    def serve(self, name: str, path: Path) -> str:
        self.state.files[f"/{name}"] = path
        return f"{self.base_url}/{name}"


def assert_nothing_half_installed(home: Path, installed: set[str] | None = None) -> None:
    """Only finished models (and the kept download folder) may be in the models folder."""
    if not home.exists():
        return
    entries = {entry.name for entry in home.iterdir()}
    leftovers = {name for name in entries if name.startswith(".staging")}
    assert not leftovers, f"staging folders left behind: {leftovers}"
    assert entries - {".downloads"} == (installed or set())
