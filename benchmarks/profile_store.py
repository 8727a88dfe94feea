"""How long the encrypted profile store takes: unlocking, each kind of change, verification, erasure.

    python -m benchmarks.profile_store      # about 30 s; writes benchmarks/results/profile_store.json

Unlocking uses the real scrypt cost (n = 2**15); the bulk figures use a store made with the test
cost so the run stays short (the cost only affects unlocking). Each change is one fsync'd
transaction, so the per-change figures mostly measure the disk.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from profiles.store import ProfileStore

RESULTS = Path(__file__).resolve().parent / "results"
PASSPHRASE = "benchmark passphrase"


def _timed(action: Callable[[], Any], repeats: int) -> dict[str, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2), "runs": repeats}


def main() -> None:
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        real = Path(folder) / "real.sqlite3"
        ProfileStore.create(real, PASSPHRASE, "bench").close()
        figures["unlock_default_scrypt"] = _timed(
            lambda: ProfileStore.open(real, PASSPHRASE, "bench").close(), 5
        )

        path = Path(folder) / "bulk.sqlite3"
        store = ProfileStore.create(path, PASSPHRASE, "bench", scrypt_n=1024)
        profile = {"identity": {"preferred_name": "Bench"}, "communication": {"what_helps": "x" * 2000}}
        ids: list[str] = []
        figures["create"] = _timed(lambda: ids.append(store.create_profile(profile)), 100)
        counter = iter(range(10**6))
        figures["edit"] = _timed(
            lambda: store.update_profile(
                ids[0], {**profile, "captions": {"font_pt": 20 + next(counter) % 100}}
            ),
            100,
        )
        figures["view"] = _timed(lambda: store.view(ids[1]), 100)
        figures["list_100_profiles"] = _timed(store.list_profiles, 5)
        figures["verify_100_profiles_200_versions"] = _timed(store.verify, 3)
        figures["delete_with_scrub"] = _timed(lambda: store.delete_profile(ids.pop()), 5)
        store.close()
        figures["file_bytes_after"] = path.stat().st_size
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "profile_store.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    for name, value in figures.items():
        print(f"{name:<36} {value}")


if __name__ == "__main__":
    main()
