"""The feedback check's arithmetic: leak spectra from a known leak path and room noise, the chain's
most gain for given settings, and the verdicts. The real stream path is in test_stream_jack."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import butter, sosfilt

from audio import feedback_check as fc
from audio.settings import CompressionSettings, ListeningSettings, tone_preset

RATE = 48000
LOUD = ListeningSettings(gain_db=20.0)  # flat tone, compression on: 20 + 12 dB at most
QUIET = ListeningSettings(gain_db=-10.0, compression=CompressionSettings(enabled=False))


def measured(leak_db: float | None, room_dbfs: float, delay: int = 300, seed: int = 1):  # type: ignore[no-untyped-def]
    """The leak spectrum of a 3 kHz resonance `leak_db` strong (None: no leak) in white room noise."""
    rng = np.random.default_rng(seed)
    sweep = fc.sweep_signal(RATE)
    returned = rng.standard_normal(int((fc.SWEEP_S + fc.TAIL_S) * RATE)) * 10 ** (room_dbfs / 20)
    if leak_db is not None:
        sos = butter(2, [2800, 3200], btype="band", fs=RATE, output="sos")
        returned[delay : delay + len(sweep)] += sosfilt(sos, sweep) * 10 ** (leak_db / 20)
    room = rng.standard_normal(int(fc.QUIET_S * RATE / 2)) * 10 ** (room_dbfs / 20)
    return fc.leak_spectrum(returned, room, sweep, RATE)


def test_the_sweep_is_gentle_and_covers_the_speech_band() -> None:
    sweep = fc.sweep_signal(RATE)
    assert len(sweep) == fc.SWEEP_S * RATE
    assert 20 * np.log10(np.max(np.abs(sweep))) == pytest.approx(fc.SWEEP_DBFS, abs=0.1)
    assert abs(sweep[0]) < 1e-3 and abs(sweep[-1]) < 1e-3  # faded: no click
    spectrum = np.abs(np.fft.rfft(sweep))
    freqs = np.fft.rfftfreq(len(sweep), 1 / RATE)
    band = (freqs > 150) & (freqs < 8000)
    # Equal energy per octave: within the band the level falls 3 dB an octave, nowhere a hole.
    assert np.min(spectrum[band] * np.sqrt(freqs[band])) > 0.5 * np.median(
        spectrum[band] * np.sqrt(freqs[band])
    )


@pytest.mark.parametrize("leak_db", [-20.0, -27.0, -35.0])
def test_a_leak_is_measured_where_and_as_strong_as_it_is(leak_db: float) -> None:
    freqs, leak, noise = measured(leak_db, room_dbfs=-80.0)
    peak = int(np.argmax(leak))
    assert 2900 < freqs[peak] < 3100
    assert leak[peak] == pytest.approx(leak_db, abs=0.5)
    # Away from the resonance the reading falls to the room's noise, which it estimates (to within
    # the scatter of a fraction of a second of noise).
    far = (freqs < 1000) | (freqs > 6000)
    assert np.all(np.abs(leak[far] - noise[far]) < 4.0)
    assert abs(np.mean(leak[far] - noise[far])) < 0.5


def test_the_chain_gain_counts_the_gain_the_louder_ears_tone_and_the_compressor() -> None:
    freqs = np.array([500.0, 3000.0])
    assert fc.chain_gain_db(LOUD, freqs, RATE) == pytest.approx([32.0, 32.0], abs=0.1)
    assert fc.chain_gain_db(QUIET, freqs, RATE) == pytest.approx([-10.0, -10.0], abs=0.1)
    boost = tone_preset("high-frequency-boost")
    shaped = ListeningSettings(gain_db=10.0, right_tone_db=boost, left_gain_db=3.0)
    expected_right = 10.0 + 12.0 + boost[5]  # the 3 kHz band
    assert fc.chain_gain_db(shaped, np.array([3000.0]), RATE)[0] == pytest.approx(
        max(expected_right, 25.0), abs=0.2
    )
    flat = ListeningSettings(gain_db=10.0, right_tone_db=boost, tone_enabled=False)
    assert fc.chain_gain_db(flat, np.array([3000.0]), RATE)[0] == pytest.approx(22.0, abs=0.1)


def test_verdicts_follow_the_loop_gain() -> None:
    freqs, leak, noise = measured(-20.0, room_dbfs=-70.0)
    loud = fc.assess(freqs, leak, noise, LOUD, RATE, 128)
    assert loud.verdict == "whistles" and loud.loop_gain_db == pytest.approx(12.0, abs=0.6)
    assert loud.worst_hz is not None and 2900 < loud.worst_hz < 3100
    assert loud.advice.startswith(
        "Move the microphone away from the headphones, or lower the volume by 18 dB"
    )
    assert f"whistle at about {loud.worst_hz:.0f} Hz" in loud.advice
    assert [band[0] for band in loud.bands] == [3000.0]
    close = fc.assess(freqs, leak, noise, ListeningSettings(gain_db=4.0), RATE, 128)
    assert close.verdict == "close" and close.loop_gain_db == pytest.approx(-4.0, abs=0.6)
    assert "lower the volume by 2 dB: only 4 dB to spare" in close.advice
    quiet = fc.assess(freqs, leak, noise, QUIET, RATE, 128)
    assert quiet.verdict == "clear" and quiet.loop_gain_db == pytest.approx(-30.0, abs=0.6)
    assert "30 dB to spare" in quiet.advice


def test_no_leak_is_clear_in_a_quiet_room_and_unsure_in_a_noisy_one() -> None:
    freqs, leak, noise = measured(None, room_dbfs=-90.0)
    clear = fc.assess(freqs, leak, noise, LOUD, RATE, 128)
    assert clear.verdict == "clear" and clear.leak_db is None and clear.bands == ()
    assert "No sound from the headphones came back" in clear.advice
    # In a noisy room a leak strong enough to whistle at these settings could hide under the noise.
    freqs, leak, noise = measured(None, room_dbfs=-55.0)
    unsure = fc.assess(freqs, leak, noise, LOUD, RATE, 128)
    assert unsure.verdict == "unsure"
    assert unsure.hidden_loop_gain_db is not None and unsure.hidden_loop_gain_db > -fc.SPARE_DB
    assert unsure.advice.startswith("Check again when the room is quieter")
    # ...while at low gain the same room cannot hide anything that matters.
    assert fc.assess(freqs, leak, noise, QUIET, RATE, 128).verdict == "clear"


def test_room_noise_alone_never_reads_as_a_leak() -> None:
    for seed in range(20):
        _, leak, noise = measured(None, room_dbfs=-60.0, seed=seed)
        assert not np.any(leak > noise + fc.ABOVE_NOISE_DB)
