"""Run every benchmark in turn (about 45 minutes): `make bench`.

Each writes its JSON under benchmarks/results/ and prints its figures; the
docs/performance.md quotes them.
"""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = (
    ["benchmarks.cpu"],
    ["benchmarks.latency_jack"],
    ["benchmarks.noise_reduction_quality"],
    ["benchmarks.soak", "--minutes", "10"],
    ["benchmarks.captions_quality"],
    ["benchmarks.captions_latency"],
    ["benchmarks.speech_synthesis"],
    ["benchmarks.speech_mixer"],
    ["benchmarks.profile_store"],
    ["benchmarks.app_startup"],
)


def main() -> int:
    failed = []
    for module in BENCHMARKS:
        print(f"\n=== {' '.join(module)}", flush=True)
        if subprocess.run([sys.executable, "-m", *module]).returncode != 0:
            failed.append(module[0])
    if failed:
        print(f"Failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
