"""The subject-access bundle: everything the store holds about one person, in one readable folder.

The folder is built beside its destination and renamed into place, so it appears whole or not
at all. The passport PDF and the FHIR bundle come from writers the caller passes in (they live
in other modules; profiles/ stays free of Qt); if one fails, the README says so and why.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from profiles.errors import ProfileError
from profiles.json_io import dumps, write_atomic

Writer = Callable[[dict[str, Any], Path], None]

_README = """\
Everything Hark holds about {name}
{rule}

Exported on {when} by {who}, from the Hark profile store {store}.
Profile id: {profile_id} (a random label; it means nothing outside this store).

This folder is a subject-access copy under UK GDPR Article 15. It holds every piece of
information the Hark store keeps about this person, and nothing about anyone else.

The files
---------
profile.json    The communication profile as it is now (Hark profile schema, version {schema_version}).
history.json    Every version of the profile since it was first recorded: who changed it,
                when, which fields changed, and the whole profile at that version.
sessions.json   Records of assessment sessions kept for this person ({sessions}).
audit.json      Every time someone created, looked at, changed, exported or deleted this
                profile: who, when and what they did. The entries hold no profile content.
{extras}
How the profile changed
-----------------------
{history}

Who has used the profile
------------------------
{audit}

Hark keeps this information encrypted on the assessor's computer. To correct anything, ask
the assessor or the council; to have it deleted, ask them to run `hark profiles delete`.
"""

_EXTRAS = {
    "passport.pdf": "passport.pdf    The communication passport: a large-print page in the person's own words.",
    "fhir.json": "fhir.json       The same needs as a FHIR R4 Bundle, the form NHS and council systems read.",
}


def _table(rows: list[str]) -> str:
    return "\n".join(rows) if rows else "(none)"


def write_bundle(
    data: Mapping[str, Any], out_dir: Path, *, who: str, store: Path, writers: Mapping[str, Writer | str]
) -> list[str]:
    """Write the bundle from `ProfileStore.subject_access` data; returns the file names written.

    `writers` maps "passport.pdf" / "fhir.json" to a function, or to the sentence that says why
    that file could not be made.
    """
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ProfileError(
            f"{out_dir} already exists and is not an empty folder; choose a new folder for "
            f"the subject-access copy."
        )
    profile = data["profile"]
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    except OSError as error:
        raise ProfileError(f"Cannot create {out_dir}: {error.strerror or error}.") from None
    try:
        write_atomic(building / "profile.json", dumps(profile))
        write_atomic(building / "history.json", dumps(data["versions"]))
        write_atomic(building / "sessions.json", dumps(data["sessions"]))
        write_atomic(building / "audit.json", dumps(data["audit"]))
        extras = []
        for name, writer in writers.items():
            if isinstance(writer, str):
                extras.append(f"{name:<15} Not included: {writer}")
                continue
            try:
                writer(profile, building / name)
                extras.append(_EXTRAS.get(name, name))
            except Exception as error:  # one missing extra must not lose the rest of the copy
                reason = (
                    error.headline if isinstance(error, ProfileError) else f"{type(error).__name__}: {error}"
                )
                extras.append(f"{name:<15} Not included: it could not be made ({reason}).")
        history = [
            f"version {v['version']:>3}  {v['at']}  {v['who']}  {v['action']}"
            + (f"  changed: {', '.join(v['changed'])}" if v["changed"] else "")
            for v in data["versions"]
        ]
        audit = [f"{e['at']}  {e['who']}  {e['action']}" for e in data["audit"]]
        name = profile["identity"]["preferred_name"]
        readme = _README.format(
            schema_version=profile["version"],
            name=name,
            rule="=" * (len(name) + 29),
            when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            who=who,
            store=store,
            profile_id=profile["id"],
            sessions=_sessions_held(data["sessions"]),
            extras="\n".join(extras) + ("\n" if extras else ""),
            history=_table(history),
            audit=_table(audit),
        )
        write_atomic(building / "README.txt", readme.encode("utf-8"))
        if out_dir.exists():
            out_dir.rmdir()
        building.rename(out_dir)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return sorted(path.name for path in out_dir.iterdir())


def _sessions_held(sessions: list[dict[str, Any]]) -> str:
    drafts = sum(1 for session in sessions if session.get("draft"))
    held = f"{len(sessions)} held"
    return held + (f", {drafts} of them not finished yet" if drafts else "")
