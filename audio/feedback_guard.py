"""Howl (acoustic feedback) guard: cuts the gain while the headphones' sound howls through the mic.

Every quarter analysis window (about 5 ms at 48 kHz) the guard looks at the spectrum of what is
about to reach the ears (`audio.howl_analysis`). A howl is a lone peak, with no voice's harmonics,
that holds its frequency for 100 ms and has grown (6 dB over the 100-200 ms before it, or 18 dB
over the quietest of the second before), which a steady machine whine has not; or, for a weak
leak whose bursts hop between the loop's modes, 90 % of the power within 250 Hz of one frequency
for 60 ms, grown as much, with no voice's partials. On a howl the guard cuts 9 dB at once and 3 dB
more every 50 ms (to 30 dB), and gives the gain back at 1 dB/s once quiet for a second: but only
to 3 dB under the cut the loop howled at, a memory that fades by 1 dB a minute (turning the volume
down takes it with it). A howl that died away within 100 ms of the cut was the loop, so while
remembered, a tone at that frequency counts as the howl coming back even among speech.
docs/howl-guard.md says why each rule and number is as it is.
"""

from __future__ import annotations

import numba
import numpy as np

from audio import fft
from audio.howl_analysis import analyse_frame, sine_dbfs
from audio.processor import Processor
from audio.settings import ListeningSettings

(
    REDUCTION_DB,
    EVENTS,
    LAST_HZ,
    PERSIST,
    LAST_BIN,
    QUIET,
    SINCE_CUT,
    HOWLING,
    FILL,
    RUN_START_DB,
    HISTORY_AGE,
    HISTORY_NEXT,
    QUIETEST_DB,
    BAND_RUN,
    BAND_BIN,
    BAND_QUIETEST_DB,
    FLOOR_DB,
    LOOP_GAIN_DB,
    HOWL_DB,
    SINCE_EVENT,
    CONFIRMED,
    PENDING_FLOOR_DB,
) = range(22)

# What a restarted guard carries over: the cut now, and the memory of the loop it howled at.
REMEMBERED = (REDUCTION_DB, EVENTS, LAST_HZ, LAST_BIN, FLOOR_DB, LOOP_GAIN_DB, HOWL_DB, CONFIRMED)

_PNPR_DB = 22.0
_GROWTH_DB = 6.0
_SLOW_GROWTH_DB = 18.0  # over the last second: more than a whine's own ups and downs
_HISTORY_STEP_S = 0.1
_HISTORY_SNAPSHOTS = 10  # one second of snapshots, 100 ms apart
_MIN_LEVEL_DBFS = -50.0
_PERSIST_S = 0.1
_BAND_SHARE = 0.9
_BAND_HALF_WIDTH_HZ = 250.0
_BAND_PERSIST_S = 0.06  # a weak leak's bursts hold for about 80 ms
_FIRST_CUT_DB = 9.0
_STEP_CUT_DB = 3.0
_STEP_EVERY_S = 0.05
_MAX_CUT_DB = 30.0
_QUIET_BEFORE_RELEASE_S = 1.0
_RELEASE_DB_PER_S = 1.0
_FLOOR_MARGIN_DB = 3.0
_FLOOR_FADE_DB_PER_S = 1.0 / 60.0
_CONFIRM_WITHIN_S = 0.1
_CONFIRM_DROP_DB = _FIRST_CUT_DB + 12.0
_GAIN_GLIDE_S = 0.005


@numba.njit(cache=True)
def _quietest_dbfs(history: np.ndarray, state: np.ndarray, k: int, snapshots: int, size: int) -> float:
    """The quietest bin k was over the second before, leaving out the newest snapshot (the
    tone may already be in it). Before any other was taken, the stream had only just started
    from silence."""
    newest = (int(state[HISTORY_NEXT]) - 1) % snapshots
    quietest = np.inf
    for row in range(snapshots):
        if row != newest and history[row, k] >= 0.0:  # -1: not taken yet
            quietest = min(quietest, history[row, k])
    return sine_dbfs(0.0 if quietest == np.inf else quietest, size)


@numba.njit(cache=True)
def _guard(
    x: np.ndarray,
    ring: np.ndarray,
    window: np.ndarray,
    buf: np.ndarray,
    tw: np.ndarray,
    rev: np.ndarray,
    power: np.ndarray,
    history: np.ndarray,
    state: np.ndarray,
    gain: np.ndarray,
    enabled: bool,
    sample_rate: float,
    hop: int,
    lo: int,
    hi: int,
    glide: float,
    band: int,
    loop_gain_db: float,
) -> None:
    channels, n = x.shape
    size = ring.shape[0]
    persist_needed = int(_PERSIST_S * sample_rate / hop)
    band_needed = int(_BAND_PERSIST_S * sample_rate / hop)
    step_hops = int(_STEP_EVERY_S * sample_rate / hop)
    quiet_hops = int(_QUIET_BEFORE_RELEASE_S * sample_rate / hop)
    release_db = _RELEASE_DB_PER_S * hop / sample_rate
    fade_db = _FLOOR_FADE_DB_PER_S * hop / sample_rate
    confirm_hops = int(_CONFIRM_WITHIN_S * sample_rate / hop)
    # Turned down by the assessor: the gain the loop howled at is that much further away.
    if loop_gain_db < state[LOOP_GAIN_DB]:
        state[FLOOR_DB] = max(0.0, state[FLOOR_DB] - (state[LOOP_GAIN_DB] - loop_gain_db))
    state[LOOP_GAIN_DB] = loop_gain_db
    snapshot_hops = int(_HISTORY_STEP_S * sample_rate / hop)
    snapshots = history.shape[0] - 1  # the last row sums the snapshot being taken
    g = gain[0]
    for i in range(n):
        s = 0.0
        for c in range(channels):
            s += x[c, i]
        fill = int(state[FILL])
        ring[fill % size] = s / channels
        fill += 1
        state[FILL] = fill % size
        if enabled and fill % hop == 0:
            best, ratio_db, level_db, harmonic, voiced, share = analyse_frame(
                ring, fill % size, window, buf, tw, rev, power, lo, hi, band
            )
            howl_bin = round(state[LAST_HZ] * size / sample_rate)
            # A howl in the loop dies away once the gain is cut, far faster than the cut alone; a
            # machine's whine only drops by the cut. Only a confirmed howl is remembered.
            if state[EVENTS] > 0 and state[SINCE_EVENT] < confirm_hops:
                state[SINCE_EVENT] += 1
                if sine_dbfs(power[howl_bin], size) <= state[HOWL_DB] - _CONFIRM_DROP_DB:
                    state[CONFIRMED] = 1
                    state[FLOOR_DB] = max(state[FLOOR_DB], state[PENDING_FLOOR_DB])
            # Where the loop howled, while the guard remembers it, a tone is taken for the howl
            # coming back even with speech around it that could pass for its partials.
            if state[CONFIRMED] == 1 and state[FLOOR_DB] > 0.0 and abs(best - howl_bin) <= band:
                harmonic = False
                voiced = False
            # Once howling, clipping in the loop gives the tone harmonics: follow it by its peak alone.
            tonal = (
                ratio_db > _PNPR_DB and level_db > _MIN_LEVEL_DBFS and (not harmonic or state[HOWLING] == 1)
            )
            if tonal and state[PERSIST] > 0 and abs(best - state[LAST_BIN]) <= 1:
                state[PERSIST] += 1
            elif tonal:
                state[PERSIST] = 1
                state[QUIETEST_DB] = _quietest_dbfs(history, state, best, snapshots, size)
                previous = max(0.0, history[(int(state[HISTORY_NEXT]) - 2) % snapshots, best])
                state[RUN_START_DB] = sine_dbfs(previous, size)
            else:
                state[PERSIST] = 0
            # The band test follows the burst while its strongest bin hops between the loop's modes.
            concentrated = share >= _BAND_SHARE and level_db > _MIN_LEVEL_DBFS and not voiced
            if concentrated and state[BAND_RUN] > 0 and abs(best - state[BAND_BIN]) <= band:
                state[BAND_RUN] += 1
            elif concentrated:
                state[BAND_RUN] = 1
                state[BAND_BIN] = best
                state[BAND_QUIETEST_DB] = _quietest_dbfs(history, state, best, snapshots, size)
            else:
                state[BAND_RUN] = 0
            state[LAST_BIN] = best
            # Each snapshot is the mean power over its 100 ms: the minimum of single frames would
            # sit well under a steady whine's level and make it look as if it had grown.
            for k in range(lo, hi):
                history[snapshots, k] += power[k]
            state[HISTORY_AGE] += 1
            if state[HISTORY_AGE] >= snapshot_hops:
                state[HISTORY_AGE] = 0
                row = int(state[HISTORY_NEXT])
                for k in range(lo, hi):
                    history[row, k] = history[snapshots, k] / snapshot_hops
                    history[snapshots, k] = 0.0
                state[HISTORY_NEXT] = (row + 1) % snapshots
            grew = (
                level_db - state[RUN_START_DB] >= _GROWTH_DB
                or level_db - state[QUIETEST_DB] >= _SLOW_GROWTH_DB
            )
            band_grew = (
                state[BAND_RUN] >= band_needed and level_db - state[BAND_QUIETEST_DB] >= _SLOW_GROWTH_DB
            )
            if (state[PERSIST] >= persist_needed and (grew or state[HOWLING] == 1)) or band_grew:
                state[QUIET] = 0
                if state[HOWLING] == 0:
                    state[HOWLING] = 1
                    state[EVENTS] += 1
                    # If the loop howled at this cut, give back no more than a margin under it. Where
                    # it was confirmed to howl before, it is the loop again (caught early, among
                    # speech, a howl cannot always be seen to die away).
                    state[PENDING_FLOOR_DB] = min(_MAX_CUT_DB, state[REDUCTION_DB] + _FLOOR_MARGIN_DB)
                    if state[CONFIRMED] == 1 and abs(best - howl_bin) <= band:
                        state[FLOOR_DB] = max(state[FLOOR_DB], state[PENDING_FLOOR_DB])
                    else:
                        state[CONFIRMED] = 0
                    state[LAST_HZ] = best * sample_rate / size
                    state[HOWL_DB] = level_db
                    state[SINCE_EVENT] = 0
                    state[REDUCTION_DB] = min(_MAX_CUT_DB, state[REDUCTION_DB] + _FIRST_CUT_DB)
                    state[SINCE_CUT] = 0
                else:
                    state[SINCE_CUT] += 1
                    if state[SINCE_CUT] >= step_hops:
                        state[REDUCTION_DB] = min(_MAX_CUT_DB, state[REDUCTION_DB] + _STEP_CUT_DB)
                        state[SINCE_CUT] = 0
            else:
                state[QUIET] += 1
                if state[QUIET] >= persist_needed:
                    state[HOWLING] = 0
                if state[QUIET] >= quiet_hops:
                    state[FLOOR_DB] = max(0.0, state[FLOOR_DB] - fade_db)
                    state[REDUCTION_DB] = max(state[FLOOR_DB], state[REDUCTION_DB] - release_db)
        if not enabled:
            state[REDUCTION_DB] = 0.0
            state[FLOOR_DB] = 0.0
            state[HOWLING] = 0
        target = 10.0 ** (-state[REDUCTION_DB] / 20.0)
        g = glide * g + (1.0 - glide) * target
        for c in range(channels):
            x[c, i] = x[c, i] * g
    gain[0] = g


class FeedbackGuard(Processor):
    def _allocate(self) -> None:
        size = 1024 if self.sample_rate > 30000 else 512
        self._plan = fft.plan(size)
        self._ring = np.zeros(size)
        self._window = np.hanning(size + 1)[:size]
        self._buf = np.zeros(size, dtype=np.complex128)
        self._power = np.zeros(size // 2 + 1)
        self._hop = size // 4
        self._lo = max(1, round(500.0 * size / self.sample_rate))
        self._hi = round(min(8000.0, 0.45 * self.sample_rate) * size / self.sample_rate)
        self._band = max(1, round(_BAND_HALF_WIDTH_HZ * size / self.sample_rate))
        self._state = np.zeros(22)
        # The snapshots, then the running sum of the one being taken (reset marks them not taken).
        self._history = np.zeros((_HISTORY_SNAPSHOTS + 1, size // 2 + 1))
        self._gain = np.ones(1)
        self._glide = float(np.exp(-1.0 / (_GAIN_GLIDE_S * self.sample_rate)))

    def configure(self, settings: ListeningSettings) -> None:
        # With what a change of volume does to the loop's gain (tone changes are left to the detector).
        self._config = (
            settings.feedback_guard_enabled,
            settings.gain_db + max(settings.left_gain_db, settings.right_gain_db),
        )

    def process(self, block: np.ndarray) -> None:
        enabled, loop_gain_db = self._config
        _guard(
            block,
            self._ring,
            self._window,
            self._buf,
            self._plan.twiddles,
            self._plan.bitrev,
            self._power,
            self._history,
            self._state,
            self._gain,
            enabled,
            float(self.sample_rate),
            self._hop,
            self._lo,
            self._hi,
            self._glide,
            self._band,
            loop_gain_db,
        )

    @property
    def events(self) -> int:
        return int(self._state[EVENTS])

    @property
    def reduction_db(self) -> float:
        return float(self._state[REDUCTION_DB])

    @property
    def last_howl_hz(self) -> float:
        return float(self._state[LAST_HZ])

    @property
    def howling(self) -> bool:
        return bool(self._state[HOWLING])

    def memory(self) -> np.ndarray:
        """What the guard has learnt about this loop (its cut, the cut it howled at, the frequency): a
        new guard given it by `remember` protects the ears from its first block, as this one would."""
        return self._state[list(REMEMBERED)]

    def remember(self, memory: np.ndarray) -> None:
        """Take over `memory` from an earlier guard (off the audio thread, before processing)."""
        self._state[list(REMEMBERED)] = memory
        self._gain[0] = 10.0 ** (-self._state[REDUCTION_DB] / 20.0)

    def reset(self) -> None:
        self._ring[:] = 0.0
        self._history[:] = 0.0
        self._history[:-1] = -1.0
        self._state[:] = 0.0
        self._gain[0] = 1.0
