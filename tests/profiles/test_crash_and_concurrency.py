"""Crash safety (kill -9 at random points, many times) and two processes writing one store at once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from profiles.errors import StoreBusyError
from profiles.store import ProfileStore
from tests.profiles.conftest import PASSPHRASE, TEST_SCRYPT_N
from tests.profiles.store_worker import is_whole

ROOT = Path(__file__).resolve().parents[2]
KILLS = 35


def _worker(*args: str, stderr: int = subprocess.PIPE) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.profiles.store_worker", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )


def _check_store(path: Path, committed: list[str]) -> None:
    """Opens, verifies, every version whole, and every change reported as committed is there."""
    with ProfileStore.open(path, PASSPHRASE, "checker") as store:
        report = store.verify()
        assert report.ok, report.problems
        heads = {summary.id: summary.version for summary in store.list_profiles()}
        for profile_id in heads:
            for version in store.subject_access(profile_id)["versions"]:  # every version, in one read
                assert is_whole(version["profile"]), (profile_id, version["version"])
        deleted = {line.split()[1] for line in committed if line.startswith("delete ")}
        maybe_deleted = {line.split()[1] for line in committed if line.startswith("deleting ")} - deleted
        for line in committed:
            kind, profile_id, *rest = line.split()
            if profile_id in maybe_deleted:
                continue
            if profile_id in deleted:
                assert profile_id not in heads
            elif kind == "edit" and rest[0] != "None":
                assert heads[profile_id] >= int(rest[0])
            elif kind == "create":
                assert profile_id in heads, [line for line in committed if profile_id in line]
        sessions = [line.split() for line in committed if line.startswith("session ")]
        for _, profile_id, _session in sessions:
            if profile_id not in deleted | maybe_deleted:
                assert store.sessions(profile_id)


def test_kill_9_at_random_points_never_leaves_half_a_change(store_path: Path) -> None:
    ProfileStore.create(store_path, PASSPHRASE, "Tess", scrypt_n=TEST_SCRYPT_N).close()
    chooser = random.Random(20261121)
    committed: list[str] = []
    mid_write = 0
    for _ in range(KILLS):
        worker = _worker("churn", str(store_path), "crash", stderr=subprocess.DEVNULL)
        assert worker.stdout is not None
        first = worker.stdout.readline()  # the loop is running
        assert first, "the worker stopped before its first change"
        time.sleep(chooser.uniform(0, 0.08))
        os.kill(worker.pid, signal.SIGKILL)
        rest = worker.stdout.read()  # not communicate(): it would skip what readline() buffered
        assert worker.wait() == -signal.SIGKILL
        committed += [first.strip(), *rest.splitlines()]
        mid_write += os.path.exists(f"{store_path}-wal")
        _check_store(store_path, committed)
    assert len(committed) > KILLS * 2
    assert mid_write > 0  # some kills left a WAL behind: they landed while the store was open


def test_two_processes_writing_at_once_both_succeed(store_path: Path) -> None:
    with ProfileStore.create(store_path, PASSPHRASE, "Tess", scrypt_n=TEST_SCRYPT_N) as store:
        shared = store.create_profile({"preferred_name": "Shared"})
    count = 25
    workers = [_worker("edits", str(store_path), tag, str(count), shared) for tag in ("one", "two")]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert out.startswith("done prf_")
    with ProfileStore.open(store_path, PASSPHRASE, "checker") as store:
        report = store.verify()
        assert report.ok, report.problems
        assert len(store.history(shared)) == 1 + 2 * count  # every edit of the shared profile was kept
        for out, _ in outputs:
            assert len(store.history(out.split()[1])) == 1 + count
        # init, create shared, and per worker: its create plus three actions per round
        assert report.entries == 2 + 2 * (1 + 3 * count)


def test_a_held_lock_fails_clearly_and_changes_nothing(store: ProfileStore) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(30)",
            str(store.path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with (
            ProfileStore.open(store.path, PASSPHRASE, "Tess", busy_timeout_s=0.3) as waiting,
            pytest.raises(StoreBusyError, match="The store is busy: another Hark process is using"),
        ):
            waiting.create_profile({"preferred_name": "Ada"})
    finally:
        holder.kill()
        holder.wait()
    assert store.list_profiles() == []
    assert store.verify().ok
