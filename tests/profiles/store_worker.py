"""A separate process that writes to a store, for the crash and two-process tests.

    python -m tests.profiles.store_worker churn STORE TAG        # writes until killed
    python -m tests.profiles.store_worker edits STORE TAG N ID   # N edits of ID and of its own profile

It prints one line after each committed change ("edit ID VERSION", "create ID",
"session ID SESSION", "deleting ID" before a deletion and "delete ID" after it), so the test knows
what was committed before it killed the process. Every version it writes carries one generation
number in six fields, so a half-written change would show as a mix.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

from profiles.store import ProfileStore
from tests.profiles.conftest import PASSPHRASE

FIELDS = (
    "what_helps",
    "what_does_not_help",
    "best_times",
    "signs_tired_or_not_understood",
    "how_to_check_understanding",
)


def generation_profile(name: str, generation: int) -> dict[str, Any]:
    return {
        "identity": {"preferred_name": name},
        "communication": {field: f"generation {generation}" for field in FIELDS},
        "captions": {"font_pt": 20 + generation % 100},
    }


def is_whole(profile: dict[str, Any]) -> bool:
    texts = {profile["communication"][field] for field in FIELDS}
    if len(texts) != 1:
        return False
    generation = int(texts.pop().split()[1])
    return bool(profile["captions"]["font_pt"] == 20 + generation % 100)


def say(line: str) -> None:
    print(line, flush=True)


def churn(store: ProfileStore, tag: str) -> None:
    chooser = random.Random()
    mine = [summary.id for summary in store.list_profiles()]
    generation = chooser.randrange(1_000_000)
    while True:
        generation += 1
        if not mine or generation % 7 == 0:
            profile_id = store.create_profile(generation_profile(f"{tag} {generation}", generation))
            mine.append(profile_id)
            say(f"create {profile_id}")
        else:
            profile_id = chooser.choice(mine)
            version = store.update_profile(profile_id, generation_profile(f"{tag} {generation}", generation))
            say(f"edit {profile_id} {version}")
        if generation % 5 == 0:
            say(
                f"session {profile_id} {store.add_session(profile_id, {'generation': generation, 'text': 'x' * 3000})}"
            )
        if generation % 11 == 0 and len(mine) > 3:
            victim = mine.pop(chooser.randrange(len(mine)))
            say(f"deleting {victim}")  # a kill from here on may leave it deleted or not, never half
            store.delete_profile(victim)
            say(f"delete {victim}")


def edits(store: ProfileStore, tag: str, count: int, shared: str) -> None:
    own = store.create_profile(generation_profile(tag, 0))
    for generation in range(1, count + 1):
        store.update_profile(shared, generation_profile(f"{tag} {generation}", generation))
        store.update_profile(own, generation_profile(tag, generation))
        store.list_profiles()
    say(f"done {own}")


def main(argv: list[str]) -> None:
    mode, path, tag = argv[0], Path(argv[1]), argv[2]
    with ProfileStore.open(path, PASSPHRASE, f"worker {tag}") as store:
        if mode == "churn":
            churn(store, tag)
        else:
            edits(store, tag, int(argv[3]), argv[4])


if __name__ == "__main__":
    main(sys.argv[1:])
