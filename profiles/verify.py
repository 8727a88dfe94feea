"""`hark profiles audit --verify`: the audit chain, then every version and session of every profile.

Each stored version must decrypt and still be a valid profile, and each profile's versions must
run 1..head with nothing belonging to no profile, so damage anywhere in the file is named.
"""

from __future__ import annotations

from dataclasses import dataclass

from profiles import audit
from profiles.errors import IntegrityError
from profiles.model import check_profile
from profiles.records import Records
from profiles.sessions import read_drafts
from profiles.wording import counted


@dataclass(frozen=True)
class VerifyReport:
    problems: list[str]
    entries: int
    profiles: int
    versions: int
    sessions: int
    fingerprint: str

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_records(records: Records) -> VerifyReport:
    """Run inside the caller's write transaction, so nothing changes while it is checked."""
    problems, count, last = audit.verify(records.conn, records.sealer)
    versions = sessions = 0
    heads = records.heads()
    for profile_id, head in heads.items():
        stored = [
            row[0]
            for row in records.conn.execute(
                "SELECT version FROM versions WHERE profile_id = ? ORDER BY version", (profile_id,)
            )
        ]
        if stored != list(range(1, head + 1)):
            problems.append(f"{profile_id} should have versions 1 to {head} but has {stored}")
        for version in stored:
            try:
                _, found = check_profile(records.read(profile_id, version)["profile"])
                problems += [f"{profile_id} version {version}: {problem}" for problem in found]
            except IntegrityError as error:
                problems.append(str(error.headline))
            versions += 1
        try:
            sessions += len(records.session_envelopes(profile_id))
        except IntegrityError as error:
            problems.append(error.headline)
    try:
        sessions += len(read_drafts(records))
    except IntegrityError as error:
        problems.append(error.headline)
    orphans = records.conn.execute(
        "SELECT COUNT(*) FROM versions WHERE profile_id NOT IN (SELECT id FROM profiles)"
    ).fetchone()[0]
    if orphans:
        verb = "belongs" if orphans == 1 else "belong"
        problems.append(f"{counted(orphans, 'stored version')} {verb} to no profile")
    return VerifyReport(problems, count, len(heads), versions, sessions, last.hex()[:16])
