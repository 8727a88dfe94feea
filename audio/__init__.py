"""Hark's real-time listening engine: processors, the chain, the duplex stream, meters.

No Qt here. Everything that runs in the audio callback is prepared in advance
(`Processor.prepare`) and then only fills preallocated arrays.

The numba kernels keep the GIL (no `nogil=True`): the callback is Python and needs it between
kernels anyway, and a kernel that let it go could wait a whole switch interval to win it back
while another thread was busy in Python.
"""

from audio.errors import AudioError
from audio.kernel_cache import use_user_cache

# Here, because importing any of audio's modules runs this first and numba reads its cache folder
# when it is imported: the compiled kernels go to a per-user folder, not beside the installed code
# (read-only on a locked-down laptop), and the engine process inherits the setting.
use_user_cache()

__all__ = ["AudioError"]
