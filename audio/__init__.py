"""Hark's real-time listening engine: processors, the chain, the duplex stream, meters.

No Qt here. Everything that runs in the audio callback is prepared in advance
(`Processor.prepare`) and then only fills preallocated arrays.

The numba kernels keep the GIL (no `nogil=True`). The callback is Python, so it needs the GIL
between kernels anyway; a kernel that let it go had to win it back, and while any other thread
was busy in Python (the caption window laying out text, a settings loop) each of the dozen or so
kernels in a block waited up to a switch interval for it: 30 to 400 ms a block in a test with a
thread publishing settings in a loop, against 0.4 ms holding it throughout.
"""

from audio.errors import AudioError

__all__ = ["AudioError"]
