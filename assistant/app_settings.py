"""The app's own settings (devices, idle lock, theme, the store's place, first run done), kept as JSON.

The file lives in the user's config folder (`settings_path()`). Reading never fails: a value Hark
cannot use is named in plain words and its default used instead, and a file that is not JSON at
all is renamed aside (app.json.broken) so nothing the user had is lost. Writing is atomic (a
temporary file renamed over the old one), so a crash or a full disk never leaves half a file.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from assistant.json_files import write_text_atomic

SETTINGS_FILE = "app.json"
FORMAT = 1
THEMES = ("standard", "large-text", "high-contrast")
THEME_NAMES = {"standard": "Standard", "large-text": "Large text", "high-contrast": "High contrast"}
IDLE_LOCK_RANGE = (1, 60)  # minutes
_OPTIONAL_TEXT = ("input_device", "headphones_device", "room_speaker_device", "store_path", "demo_recording")
_WHAT = {
    "input_device": "the microphone",
    "headphones_device": "the headphones",
    "room_speaker_device": "the room speaker",
    "store_path": "the profile store's place",
    "demo_recording": "the demonstration recording",
    "idle_lock_minutes": "the idle lock",
    "theme": "the theme",
    "first_run_done": "whether set-up was finished",
}


class SettingsError(Exception):
    """The settings could not be saved; the message says why and what to do."""


@dataclass(frozen=True)
class AppSettings:
    """None for a device means the system's default (for the room speaker: no room speaker)."""

    input_device: str | None = None
    headphones_device: str | None = None
    room_speaker_device: str | None = None
    idle_lock_minutes: int = 5
    theme: str = "standard"
    store_path: str | None = None  # None: profiles.store.default_store_path()
    demo_recording: str | None = None  # a WAV file looped as the microphone, for training
    first_run_done: bool = False

    @classmethod
    def load(cls, path: Path | None = None) -> tuple[AppSettings, list[str]]:
        """The settings in `path` (default `settings_path()`) and a sentence for each problem found.

        A missing file gives the defaults and no problems (the first run)."""
        path = settings_path() if path is None else path
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(), []
        except (OSError, UnicodeDecodeError) as error:
            return cls(), [
                f"Hark could not read its settings file {path} ({_reason(error)}); it uses the defaults."
            ]
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not a set of named settings")
        except ValueError:
            return cls(), [_set_aside(path)]
        return _from_dict(data, path)

    def save(self, path: Path | None = None) -> Path:
        """Write the settings atomically; SettingsError (in words) when the folder cannot be written."""
        path = settings_path() if path is None else path
        text = json.dumps({"format": FORMAT, **asdict(self)}, indent=2) + "\n"
        try:
            write_text_atomic(path, text)
        except OSError as error:
            raise SettingsError(
                f"Hark could not save its settings in {path} ({_reason(error)}). Check that the disk is not "
                "full and that you may write there; the settings you chose stay in use until Hark closes."
            ) from None
        return path


def needs_first_run(settings: AppSettings) -> bool:
    """True until the first-run set-up has been finished once."""
    return not settings.first_run_done


def settings_path() -> Path:
    """app.json in the user's config folder: $XDG_CONFIG_HOME/hark on Linux, %APPDATA%\\Hark on Windows."""
    if sys.platform == "win32":
        folder = platformdirs.user_config_dir("Hark", appauthor=False, roaming=True)
    else:
        folder = platformdirs.user_config_dir("hark", appauthor=False)
    return Path(folder) / SETTINGS_FILE


def _reason(error: BaseException) -> str:
    return str(getattr(error, "strerror", None) or error)


def _set_aside(path: Path) -> str:
    aside = path.with_name(path.name + ".broken")
    number = 2
    while aside.exists():
        aside = path.with_name(f"{path.name}.broken-{number}")
        number += 1
    try:
        os.replace(path, aside)
    except OSError as error:
        return (
            f"Hark's settings file {path} is damaged and could not be moved aside ({_reason(error)}); "
            "Hark uses the default settings. Choose them again in Settings."
        )
    return (
        f"Hark's settings file was damaged, so Hark uses the default settings. The old file is kept as "
        f"{aside}. Choose your settings again in Settings."
    )


def _from_dict(data: dict[str, Any], path: Path) -> tuple[AppSettings, list[str]]:
    defaults = AppSettings()
    known = {field.name for field in fields(AppSettings)}
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key in sorted(set(data) - known - {"format"}):
        problems.append(
            f"Hark's settings file {path} has a setting it does not know, {key!r}; it was ignored."
        )
    for key in sorted(set(data) & known):
        value = data[key]
        problem = _problem(key, value)
        if problem is None:
            values[key] = value
        else:
            default = getattr(defaults, key)
            shown = "none" if default is None else THEME_NAMES.get(str(default), str(default))
            problems.append(f"The setting for {_WHAT[key]} ({value!r}) {problem}; Hark uses {shown} instead.")
    return replace(defaults, **values), problems


def _problem(key: str, value: Any) -> str | None:
    """Why `value` cannot be the setting `key`, or None when it can."""
    if key in _OPTIONAL_TEXT:
        if value is not None and (not isinstance(value, str) or not value.strip()):
            return "is not a name"
        if key == "demo_recording" and value is not None and not Path(value).is_file():
            return "is not a file on this computer"
        return None
    if key == "idle_lock_minutes":
        low, high = IDLE_LOCK_RANGE
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return f"is not a whole number of minutes from {low} to {high}"
        return None
    if key == "theme":
        return None if value in THEMES else f"is not one of {', '.join(THEMES)}"
    if key == "first_run_done":
        return None if isinstance(value, bool) else "is not true or false"
    return "is not understood"
