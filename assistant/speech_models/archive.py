"""Unpacking a model archive (or copying a model folder) safely, and recognising a Vosk model.

Every zip entry is checked before anything is written: absolute paths, `..` parts and
symbolic links are refused (a zip-slip archive could otherwise write outside the models
folder). Reading each entry checks its CRC-32, so a damaged archive fails here instead
of producing a model that crashes later.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from assistant.speech_models.errors import ModelError

# Folders that zip tools add and that are never part of a model.
_IGNORED = {"__MACOSX", ".DS_Store"}


def layout_problems(folder: Path) -> list[str]:
    """What keeps `folder` from being a Vosk model, as Vosk's loader sees it; empty when it is one.

    Vosk accepts two layouts: the current one (am/, conf/, graph/) and the old flat one.
    The decoding graph is either one HCLG.fst or the lookahead pair HCLr.fst + Gr.fst.
    """
    if (folder / "am" / "final.mdl").is_file():
        graph = folder / "graph"
        missing = [f"{p}" for p in ("conf/model.conf", "conf/mfcc.conf") if not (folder / p).is_file()]
        if not (
            (graph / "HCLG.fst").is_file()
            or ((graph / "HCLr.fst").is_file() and (graph / "Gr.fst").is_file())
        ):
            missing.append("graph/HCLG.fst (or graph/HCLr.fst with graph/Gr.fst)")
        return [f"{folder} has am/final.mdl but no {item}" for item in missing]
    if (folder / "final.mdl").is_file():
        if (folder / "HCLG.fst").is_file() or (folder / "HCLr.fst").is_file():
            return []
        return [f"{folder} has final.mdl but no HCLG.fst or HCLr.fst decoding graph"]
    return [f"{folder} has no acoustic model (am/final.mdl)"]


def find_model_root(folder: Path, source: str) -> Path:
    """The Vosk model in `folder`: the folder itself or its single top-level subfolder."""
    if not layout_problems(folder):
        return folder
    children = [child for child in folder.iterdir() if child.name not in _IGNORED]
    subfolders = [child for child in children if child.is_dir()]
    if len(subfolders) == 1 and len(children) == 1 and not layout_problems(subfolders[0]):
        return subfolders[0]
    inner = layout_problems(subfolders[0]) if len(subfolders) == 1 else []
    detail = (
        "; ".join(inner) if inner else f"found {', '.join(sorted(c.name for c in children)[:8]) or 'nothing'}"
    )
    raise ModelError(
        f"{source} is not a Vosk speech model: a model needs am/final.mdl, conf/ and graph/ "
        f"(at the top or inside one folder), but {detail.replace(str(folder), 'the archive')}. "
        "Download the model .zip from https://alphacephei.com/vosk/models or use `hark models install NAME`."
    )


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return f"the entry {name!r} has an absolute path"
    if "\\" in name:
        return f"the entry {name!r} uses backslashes, which could point outside the model folder"
    if ".." in PurePosixPath(name).parts:
        return f"the entry {name!r} climbs out of the folder with '..'"
    if stat.S_ISLNK(info.external_attr >> 16):
        return f"the entry {name!r} is a symbolic link"
    if info.flag_bits & 0x1:
        return f"the entry {name!r} is encrypted"
    return None


def extract_zip(archive_path: Path, into: Path) -> None:
    """Unpack `archive_path` into the empty folder `into`, refusing unsafe or damaged archives."""
    fix = "Download the model again (or copy a fresh copy of the .zip) and retry."
    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ModelError(
            f"{archive_path} is not a readable zip file ({error}): it is damaged or incomplete. {fix}"
        ) from None
    with archive:
        entries = archive.infolist()
        for info in entries:
            problem = _entry_problem(info)
            if problem is not None:
                raise ModelError(
                    f"Refusing to install from {archive_path}: {problem}. Such archives can write files outside "
                    "the models folder, so nothing was unpacked. Use an official model .zip."
                )
        root = into.resolve()
        for info in entries:
            target = (into / info.filename).resolve()
            if not target.is_relative_to(root):  # belt and braces behind _entry_problem
                raise ModelError(
                    f"Refusing to install from {archive_path}: {info.filename!r} leaves the folder."
                )
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(info) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
                raise ModelError(
                    f"{archive_path} is damaged: reading {info.filename!r} failed ({error}). {fix}"
                ) from None


def copy_model_folder(source: Path, into: Path) -> None:
    """Copy the model folder `source` into `into`, refusing symbolic links (they may point anywhere)."""
    for directory, subdirs, files in os.walk(source):
        here = Path(directory)
        for entry in [*subdirs, *files]:
            if (here / entry).is_symlink():
                raise ModelError(
                    f"Refusing to install from {source}: {here / entry} is a symbolic link. "
                    "Copy the real files into the folder and retry."
                )
        relative = here.relative_to(source)
        (into / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            if name not in _IGNORED:
                shutil.copy2(here / name, into / relative / name)
        subdirs[:] = [d for d in subdirs if d not in _IGNORED]
