"""Raise the audio engine's scheduling priority, and say in a sentence what it got.

A callback that waits behind a compiler, a browser or the UI process misses its deadline and
the person hears a click. Each function returns a short sentence for the engine's log and
status (what was got and, when less than asked, why) and never raises: a refusal leaves the
engine running at normal priority, which is worth reporting, not failing over.

- Linux: the audio thread asks for SCHED_FIFO, which needs root, CAP_SYS_NICE or an
  RLIMIT_RTPRIO above 0 (e.g. the `@audio - rtprio 95` line many distributions ship); failing
  that, a lower nice value within RLIMIT_NICE. Scheduling on Linux is per thread, so this is
  done from the callback thread itself.
- Windows: the engine process gets HIGH_PRIORITY_CLASS and the audio thread TIME_CRITICAL.
- macOS: Core Audio already runs PortAudio's callback on a real-time thread; left as is.
"""

from __future__ import annotations

import os
import sys
import threading

# High enough to pre-empt ordinary work and the JACK/PipeWire clients' defaults of 20-70,
# low enough to stay below kernel threads (IRQ handlers run at 50, watchdogs at 99).
_RT_PRIORITY = 70
_NICE_STEPS = (-10, -5, -1)


def raise_callback_thread() -> str:
    """Call from the audio callback thread itself (its first callback)."""
    try:
        if sys.platform.startswith("linux"):
            return _linux_thread()
        if sys.platform == "win32":
            return _windows_thread()
        return f"normal (not raised on {_platform_name()})"
    except Exception as exc:  # the audio must run whatever happened here
        return f"normal for the audio thread (raising failed: {exc})"


def raise_process() -> str:
    """Call once at the engine process's start, before the stream opens."""
    try:
        if sys.platform == "win32":
            return _windows_process()
        if sys.platform.startswith("linux"):
            return "normal for the engine process (Linux raises the audio thread itself)"
        return f"normal (not raised on {_platform_name()})"
    except Exception as exc:
        return f"normal for the engine process (raising failed: {exc})"


def _platform_name() -> str:
    return "macOS" if sys.platform == "darwin" else sys.platform


def _linux_thread() -> str:
    import resource

    soft, _hard = resource.getrlimit(resource.RLIMIT_RTPRIO)
    unlimited = os.geteuid() == 0 or soft == resource.RLIM_INFINITY
    priority = _RT_PRIORITY if unlimited else min(_RT_PRIORITY, soft)
    if priority < 1:
        why = f"RLIMIT_RTPRIO {soft}"
    else:
        try:
            # pid 0 is the calling thread, not the whole process, on Linux.
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(priority))
            return f"real-time (SCHED_FIFO {priority}) for the audio thread"
        except OSError as exc:
            why = f"{exc.strerror or exc}, RLIMIT_RTPRIO {soft}"
    return _linux_nice(f"real-time not permitted: {why}")


def _linux_nice(rt_why: str) -> str:
    import resource

    tid = threading.get_native_id()  # with a thread id, setpriority affects that thread only
    current = os.getpriority(os.PRIO_PROCESS, tid)
    for nice in (n for n in _NICE_STEPS if n < current):  # never lower it while trying to raise it
        try:
            os.setpriority(os.PRIO_PROCESS, tid, nice)
            return f"nice {nice} for the audio thread ({rt_why})"
        except OSError:
            continue
    if current < 0:
        return f"nice {current} for the audio thread ({rt_why})"
    soft, _hard = resource.getrlimit(resource.RLIMIT_NICE)
    return f"nice {current} for the audio thread ({rt_why}; nice not lowered: RLIMIT_NICE {soft})"


if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    _HIGH_PRIORITY_CLASS = 0x00000080
    _THREAD_PRIORITY_TIME_CRITICAL = 15
    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _kernel32.GetCurrentProcess.restype = wintypes.HANDLE
    _kernel32.GetCurrentThread.restype = wintypes.HANDLE
    _kernel32.SetPriorityClass.argtypes = (wintypes.HANDLE, wintypes.DWORD)
    _kernel32.SetPriorityClass.restype = wintypes.BOOL
    _kernel32.SetThreadPriority.argtypes = (wintypes.HANDLE, ctypes.c_int)
    _kernel32.SetThreadPriority.restype = wintypes.BOOL

    def _windows_process() -> str:
        if _kernel32.SetPriorityClass(_kernel32.GetCurrentProcess(), _HIGH_PRIORITY_CLASS):
            return "high priority class for the engine process"
        error = ctypes.WinError(ctypes.get_last_error())
        return f"normal priority class for the engine process (refused: {error.strerror})"

    def _windows_thread() -> str:
        process = _windows_process()
        if _kernel32.SetThreadPriority(_kernel32.GetCurrentThread(), _THREAD_PRIORITY_TIME_CRITICAL):
            return f"time-critical for the audio thread, {process}"
        error = ctypes.WinError(ctypes.get_last_error())
        return f"normal for the audio thread (refused: {error.strerror}), {process}"
