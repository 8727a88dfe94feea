"""Hark's real-time listening engine: processors, the chain, the duplex stream, meters.

No Qt here. Everything that runs in the audio callback is prepared in advance
(`Processor.prepare`) and then only fills preallocated arrays.
"""

from audio.errors import AudioError

__all__ = ["AudioError"]
