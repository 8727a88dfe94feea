"""numba's on-disk cache in a per-user folder, and whether this start will have to compile.

The kernels use `@numba.njit(cache=True)`, which writes next to the source unless
NUMBA_CACHE_DIR says otherwise; an installed package's folder may be read-only (a locked-down
laptop has per-user folders only), and numba then compiles on every start. numba reads
NUMBA_CACHE_DIR once, when it is imported, so call `use_user_cache()` at program start, before
anything imports numba: the `hark` entry points and the engine's entry module. Processes
started with spawn inherit the environment, so one call in the parent covers them too.

This module must not import numba, nor anything in audio that does.

`is_warm`/`mark_warm` keep a marker per configuration so the caller can say "Preparing the
audio engine (first run only)" only when the cache is cold. numba recompiles when its version,
Python's, or a kernel's source file changes, so all three are in the marker's name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
import tempfile
from importlib import metadata
from pathlib import Path

_ENV = "NUMBA_CACHE_DIR"


def cache_dir() -> Path:
    """NUMBA_CACHE_DIR when set, else the per-user cache folder for this platform."""
    if os.environ.get(_ENV):
        return Path(os.environ[_ENV])
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(local) / "Hark" / "numba"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "Hark" / "numba"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"  # XDG: ignore relative paths
    return base / "hark" / "numba"


def use_user_cache() -> Path:
    """Point numba at `cache_dir()` (created) unless NUMBA_CACHE_DIR is already set; return it."""
    path = cache_dir()
    if os.environ.get(_ENV):
        return path  # someone chose the folder: numba makes it when it needs it
    with contextlib.suppress(OSError):  # numba checks the folder itself and falls back to its own
        path.mkdir(parents=True, exist_ok=True)
    os.environ[_ENV] = str(path)
    return path


def marker_name(key: str) -> str:
    """The marker file's name: the caller's key, numba's and Python's versions, the kernels' sources."""
    safe_key = re.sub(r"[^A-Za-z0-9._-]", "_", key)
    python = ".".join(str(part) for part in sys.version_info[:3])
    return f"warm-{safe_key}-numba{_numba_version()}-py{python}-src{_source_stamp()}"


def is_warm(key: str) -> bool:
    """True when `mark_warm(key)` ran since numba, Python or a kernel's source last changed."""
    try:
        return (cache_dir() / marker_name(key)).is_file()
    except OSError:
        return False


def mark_warm(key: str) -> None:
    """Record that `key`'s kernels are compiled and cached; quietly does nothing if it cannot."""
    folder = cache_dir()
    temp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, temp = tempfile.mkstemp(dir=folder, prefix=".warm-", suffix=".tmp")
        os.close(descriptor)
        os.replace(temp, folder / marker_name(key))  # atomic: a reader sees no marker or a whole one
    except OSError:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.remove(temp)


def _numba_version() -> str:
    try:
        return metadata.version("numba")  # from the installed metadata, without importing numba
    except metadata.PackageNotFoundError:
        return "none"


def _source_stamp() -> str:
    # numba keys its index on each source file's modification time and size, as here.
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        try:
            status = source.stat()
        except OSError:
            continue
        digest.update(f"{source.name}:{status.st_mtime_ns}:{status.st_size};".encode())
    return digest.hexdigest()[:12]
