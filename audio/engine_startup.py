"""Starting an AudioEngine with the first-run notice.

The first start with a noise-reduction method, rate and block size compiles the kernels into the
per-user numba cache (audio.kernel_cache): about 20 s instead of 2-3 s. Saying so beforehand tells
the person the wait is expected and happens once.
"""

from __future__ import annotations

from collections.abc import Callable

from audio.engine import AudioEngine
from audio.kernel_cache import is_warm, mark_warm

FIRST_RUN_MESSAGE = "Preparing the audio engine (first run only)…"


def warm_key(engine: AudioEngine) -> str:
    return f"{engine.noise_reduction_method}-{engine.sample_rate}-{engine.block_size}"


def first_run(engine: AudioEngine) -> bool:
    """True when starting `engine` will compile its kernels first."""
    return not is_warm(warm_key(engine))


def start_engine(engine: AudioEngine, say: Callable[[str], None], wait: bool = False) -> None:
    """`engine.start(wait)`, calling `say(FIRST_RUN_MESSAGE)` first when the cache is cold, and
    marking it warm once the engine has started (its kernels are compiled before it reports)."""
    key = warm_key(engine)
    if not is_warm(key):
        say(FIRST_RUN_MESSAGE)
    engine.start(wait=wait)
    mark_warm(key)
