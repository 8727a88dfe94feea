"""numba's cache in the per-user folder, across real processes, and the first-run marker."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import pytest

from audio.kernel_cache import cache_dir, is_warm, mark_warm, marker_name, use_user_cache

ROOT = Path(__file__).resolve().parents[2]

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG folder is Linux's")

_START_ENGINE = """
import sys
from audio.kernel_cache import use_user_cache
folder = use_user_cache()
assert "numba" not in sys.modules, "numba was imported before its cache folder was set"
from audio.warmup import compile_kernels
compile_kernels("classic", 48000, 128)
print(folder)
"""


def _child_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / "xdg-cache"))
    return env


def _cache_files(folder: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in folder.rglob("*") if path.suffix in (".nbi", ".nbc")}


def _source_stamps() -> dict[str, tuple[int, int]]:
    return {
        path.stem: (path.stat().st_mtime_ns, path.stat().st_size) for path in (ROOT / "audio").glob("*.py")
    }


@linux_only
def test_the_kernels_cache_in_the_user_folder_and_a_second_start_loads_them(tmp_path: Path) -> None:
    env = _child_env(tmp_path)
    sources_before = _source_stamps()
    runs = []
    for _ in range(2):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _START_ENGINE],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=280,
        )
        assert done.returncode == 0, done.stderr
        runs.append((time.perf_counter() - started, Path(done.stdout.strip())))
        if len(runs) == 1:
            first = _cache_files(runs[0][1])
    print(f"classic 48000/128: cold start {runs[0][0]:.1f} s, warm start {runs[1][0]:.1f} s")

    assert runs[0][1] == tmp_path / "xdg-cache" / "hark" / "numba"
    suffixes = {path.suffix for path in first}
    assert suffixes == {".nbi", ".nbc"}, f"cached: {sorted(first)}"
    assert any("audio" in path.parent.name for path in first)
    # numba rightly recompiles a module edited between the starts (others edit audio/ as this runs).
    edited = {name for name, stamp in _source_stamps().items() if sources_before.get(name) != stamp}
    unedited = {path: stamp for path, stamp in first.items() if path.name.split(".")[0] not in edited}
    assert len(unedited) >= len(first) // 2, f"too many sources edited during the test: {sorted(edited)}"
    second = _cache_files(runs[1][1])
    assert {path: second.get(path) for path in unedited} == unedited, "the second start recompiled"


def test_importing_it_leaves_numba_unimported() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys, audio.kernel_cache; print('numba' in sys.modules)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "False"


@linux_only
def test_the_folder_is_per_user_and_a_set_numba_cache_dir_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", "")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "hark" / "numba"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert cache_dir() == tmp_path / ".cache" / "hark" / "numba"

    assert use_user_cache() == tmp_path / ".cache" / "hark" / "numba"
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / ".cache" / "hark" / "numba")
    assert (tmp_path / ".cache" / "hark" / "numba").is_dir()

    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "chosen"))
    assert use_user_cache() == tmp_path / "chosen"
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "chosen")


def test_a_marked_configuration_is_warm_and_only_that_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "numba"))
    assert not is_warm("learned-48000-128")
    mark_warm("learned-48000-128")
    assert is_warm("learned-48000-128")
    assert not is_warm("learned-48000-256")
    assert not is_warm("classic-48000-128")
    assert [path.name for path in (tmp_path / "numba").iterdir()] == [marker_name("learned-48000-128")]


def test_the_marker_name_carries_the_key_and_the_numba_and_python_versions() -> None:
    name = marker_name("learned-48000-128")
    assert name.startswith("warm-learned-48000-128-")
    assert f"-numba{numba.__version__}-" in name
    assert f"-py{platform.python_version()}-" in name
    assert "/" not in marker_name("a/b\\c") and "\\" not in marker_name("a/b\\c")


_MARK_READ_ONLY = """
import json, os, sys
from audio.kernel_cache import is_warm, mark_warm, marker_name
marker_name("x")  # its lazy imports come from Python's folder under /root, closed to nobody
if os.geteuid() == 0:  # root writes anywhere: become a real user, who cannot
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
mark_warm("classic-48000-128")
print(json.dumps({"warm": is_warm("classic-48000-128"), "uid": os.geteuid()}))
"""


@pytest.mark.parametrize("exists", [True, False], ids=["read-only folder", "folder cannot be made"])
def test_marking_a_read_only_folder_does_nothing_quietly(exists: bool) -> None:
    with tempfile.TemporaryDirectory() as top:
        os.chmod(top, 0o755)
        parent = Path(top) / "cache"
        parent.mkdir()
        folder = parent / "numba"
        if exists:
            folder.mkdir()
        os.chmod(parent, 0o555)
        if exists:
            os.chmod(folder, 0o555)
        env = {**os.environ, "NUMBA_CACHE_DIR": str(folder)}
        done = subprocess.run(
            [sys.executable, "-c", _MARK_READ_ONLY],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        seen = json.loads(done.stdout)
        assert seen["uid"] != 0
        assert seen["warm"] is False
        assert folder.is_dir() == exists
        assert not exists or list(folder.iterdir()) == []
        os.chmod(parent, 0o755)
