"""The audio thread's priority on Linux: real-time as root, and each fallback a real non-root user gets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from audio.priority import raise_callback_thread, raise_process

ROOT = Path(__file__).resolve().parents[2]

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux scheduling")
needs_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root (to be, and to become, a real user)"
)

# Runs as root long enough to set the limits and import, then becomes `nobody` for good: the
# kernel drops every capability with the uid, so what follows is what a normal user gets.
_AS_NOBODY = """
import json, os, resource, sys, threading
from audio.priority import raise_callback_thread
rtprio, nice_limit, start_nice = (int(arg) for arg in sys.argv[1:])
try:
    resource.setrlimit(resource.RLIMIT_RTPRIO, (rtprio, rtprio))
    resource.setrlimit(resource.RLIMIT_NICE, (nice_limit, nice_limit))
except ValueError as exc:  # raising a hard limit needs CAP_SYS_RESOURCE, which containers drop
    print(json.dumps({"skip": f"cannot set RLIMIT_RTPRIO {rtprio}, RLIMIT_NICE {nice_limit} here: {exc}"}))
    sys.exit()
os.setpriority(os.PRIO_PROCESS, 0, start_nice)
os.setgroups([])
os.setgid(65534)
os.setuid(65534)
seen = {}
def audio_thread():
    seen["sentence"] = raise_callback_thread()
    seen["policy"] = os.sched_getscheduler(0)
    seen["priority"] = os.sched_getparam(0).sched_priority
    seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
thread = threading.Thread(target=audio_thread)
thread.start()
thread.join()
seen["main_nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
seen["uid"] = os.geteuid()
print(json.dumps(seen))
"""


def _as_nobody(rtprio: int, nice_limit: int, start_nice: int = 0) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _AS_NOBODY, str(rtprio), str(nice_limit), str(start_nice)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    seen = json.loads(done.stdout)
    if "skip" in seen:
        pytest.skip(seen["skip"])
    assert seen["uid"] == 65534
    assert seen["main_nice"] == start_nice, "only the audio thread is raised"
    return seen


def _in_a_thread() -> dict:
    seen: dict = {}

    def audio_thread() -> None:
        seen["sentence"] = raise_callback_thread()
        seen["policy"] = os.sched_getscheduler(0)
        seen["priority"] = os.sched_getparam(0).sched_priority

    thread = threading.Thread(target=audio_thread)
    thread.start()
    thread.join()
    return seen


@linux_only
@needs_root
def test_root_gets_sched_fifo_for_the_calling_thread_only() -> None:
    seen = _in_a_thread()
    assert seen["sentence"] == "real-time (SCHED_FIFO 70) for the audio thread"
    assert seen["policy"] == os.SCHED_FIFO
    assert seen["priority"] == 70
    assert os.sched_getscheduler(0) == os.SCHED_OTHER, "the test's own thread is untouched"


@linux_only
@needs_root
def test_a_user_with_an_rtprio_limit_gets_real_time_clamped_to_it() -> None:
    seen = _as_nobody(rtprio=40, nice_limit=0)
    assert seen["sentence"] == "real-time (SCHED_FIFO 40) for the audio thread"
    assert (seen["policy"], seen["priority"]) == (os.SCHED_FIFO, 40)


@linux_only
@needs_root
@pytest.mark.parametrize(
    ("nice_limit", "nice"),
    [(30, -10), (25, -5)],  # RLIMIT_NICE n allows nice down to 20 - n: -10 refused at 25, -5 taken
)
def test_a_user_without_real_time_gets_the_lowest_nice_allowed(nice_limit: int, nice: int) -> None:
    seen = _as_nobody(rtprio=0, nice_limit=nice_limit)
    assert seen["sentence"] == f"nice {nice} for the audio thread (real-time not permitted: RLIMIT_RTPRIO 0)"
    assert seen["policy"] == os.SCHED_OTHER
    assert seen["nice"] == nice


@linux_only
@needs_root
def test_a_user_allowed_nothing_is_told_so_and_runs_normally() -> None:
    seen = _as_nobody(rtprio=0, nice_limit=0)
    assert seen["sentence"] == (
        "nice 0 for the audio thread "
        "(real-time not permitted: RLIMIT_RTPRIO 0; nice not lowered: RLIMIT_NICE 0)"
    )
    assert (seen["policy"], seen["nice"]) == (os.SCHED_OTHER, 0)


@linux_only
@needs_root
def test_an_audio_thread_already_below_the_steps_keeps_its_nice() -> None:
    seen = _as_nobody(rtprio=0, nice_limit=0, start_nice=-7)  # -10 is refused; -5 or -1 would lower it
    assert seen["sentence"] == "nice -7 for the audio thread (real-time not permitted: RLIMIT_RTPRIO 0)"
    assert (seen["policy"], seen["nice"]) == (os.SCHED_OTHER, -7)


@linux_only
def test_the_process_call_leaves_linux_scheduling_to_the_audio_thread() -> None:
    before = (os.sched_getscheduler(0), os.getpriority(os.PRIO_PROCESS, 0))
    assert "engine process" in raise_process()
    assert (os.sched_getscheduler(0), os.getpriority(os.PRIO_PROCESS, 0)) == before
