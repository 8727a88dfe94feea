"""The live stream's data path, exactly, through ALSA's `file` plugin.

ALSA reads the capture side from a raw file and writes the playback side to
another, unpaced (far faster than real time), so this checks what the stream
does to every sample, not its timing. ALSA reads its configuration once, when
the library loads, so the stream runs in a child process whose XDG_CONFIG_HOME
points at our asoundrc.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from audio.offline import process_signal, read_wav
from audio.settings import ListeningSettings

ROOT = Path(__file__).resolve().parents[2]
SPEECH = ROOT / "tests" / "data" / "speech_1089-134686-0000.wav"
RATE, BLOCK = 16000, 128

ASOUNDRC = """
pcm.harkin {{ type file; slave.pcm "null"; file "/dev/null"; infile "{infile}"; format "raw" }}
pcm.harkout {{ type file; slave.pcm "null"; file "{outfile}"; format "raw" }}
"""

CHILD = textwrap.dedent("""
    import json, sys, time
    from audio.stream import ListeningStream
    frames = int(sys.argv[1])
    stream = ListeningStream(None, "harkin", "harkout", 16000, 128)
    stream.start()
    deadline = time.monotonic() + 60
    # Capture repeats stale data after the file ends: stop once the input is used up.
    while stream.callbacks * 128 < frames + 4096 and time.monotonic() < deadline:
        time.sleep(0.001)
    status = stream.status
    stream.close()
    print(json.dumps({"callbacks": status.callbacks, "errors": status.callback_errors,
                      "drops": status.tap_drops, "latency": status.stream_latency_s}))
""")


def test_stream_output_is_exactly_the_offline_chain(tmp_path: Path) -> None:
    x, rate = read_wav(SPEECH)
    assert rate == RATE
    x = x.reshape(len(x), -1)[:, 0].astype(np.float32)
    infile, outfile = tmp_path / "in.raw", tmp_path / "out.raw"
    x.astype("<f4").tofile(infile)
    (tmp_path / "alsa").mkdir()
    (tmp_path / "alsa" / "asoundrc").write_text(ASOUNDRC.format(infile=infile, outfile=outfile))
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(len(x))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["errors"] == 0

    # PortAudio negotiates float32 with the plugin, so the file holds exactly the
    # callback's float32 output, two channels interleaved.
    out = np.fromfile(outfile, dtype="<f4").reshape(-1, 2)
    reference = process_signal(x, RATE, ListeningSettings(), BLOCK, compensate_latency=False).output
    # Fixed offset: PortAudio primes the ALSA playback buffer with silence before the
    # first callback, so the file starts with that many zero frames (a whole number
    # of blocks). Find it, then demand bit-exact equality for the whole input.
    n = len(x) // BLOCK * BLOCK
    offsets = [
        k
        for k in range(0, min(len(out) - n, 64 * BLOCK) + 1, BLOCK)
        if np.array_equal(out[k : k + n], reference[:n])
    ]
    assert offsets, "the stream's output never lines up with the offline chain"
    offset = offsets[0]
    assert not np.any(out[:offset]), "the priming before the first block should be silence"
    np.testing.assert_array_equal(out[offset : offset + n], reference[:n])
    print(f"priming offset {offset} frames ({offset // BLOCK} blocks); stream latency {report['latency']}")
