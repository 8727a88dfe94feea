"""Downloading a model archive over HTTP(S) with the standard library only.

The archive is written to a `.part` file. A dropped connection is retried a few times
with an HTTP Range request that continues from the bytes already on disk, and the
`.part` file is kept when every attempt fails, so running the same install again
resumes instead of starting a 1.8 GB download from nothing. A server that ignores
Range simply sends the whole file again (status 200) and the download restarts.
A download only counts as complete when the bytes received match Content-Length.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from assistant.speech_models.errors import ModelError

Progress = Callable[[int, "int | None"], None]

CHUNK_BYTES = 1 << 20
# Seconds without any data before a read gives up; models come from one slow-ish server.
TIMEOUT_S = 30.0
ATTEMPTS = 3
RETRY_PAUSE_S = 0.5
# Transient answers worth retrying; anything else (404, 403) will not fix itself.
_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


class _Retryable(Exception):
    """This attempt failed in a way another attempt (resuming) may get past."""


def download(url: str, part: Path, progress: Progress | None = None) -> int:
    """Fetch `url` into `part`, resuming from what `part` holds; return the total size in bytes.

    Raises ModelError when the file cannot be fetched; the `.part` file stays so that a
    later call resumes.
    """
    if not url.lower().startswith(("http://", "https://")):
        raise ModelError(f"Cannot download {url!r}: only http:// and https:// addresses are supported.")
    part.parent.mkdir(parents=True, exist_ok=True)
    last_problem = ""
    for attempt in range(ATTEMPTS):
        try:
            return _attempt(url, part, progress)
        except _Retryable as problem:
            last_problem = str(problem)
            if attempt + 1 < ATTEMPTS:
                time.sleep(RETRY_PAUSE_S)
    held = part.stat().st_size if part.exists() else 0
    raise ModelError(
        f"The download of {url} did not complete after {ATTEMPTS} attempts: {last_problem}. "
        f"{held / 1e6:.1f} MB received so far are kept in {part}; check the network connection and "
        "run the same install command again to resume."
    )


def _content_range_start(header: str | None) -> tuple[int, int | None]:
    match = re.fullmatch(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*", header or "")
    if match is None:
        raise _Retryable(f"the server resumed with an unreadable Content-Range ({header!r})")
    total = None if match.group(3) == "*" else int(match.group(3))
    return int(match.group(1)), total


def _attempt(url: str, part: Path, progress: Progress | None) -> int:
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": "hark-models/1", "Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=TIMEOUT_S)
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:
            # What we hold is not a prefix of the file any more (changed upstream): start again.
            part.unlink()
            raise _Retryable("the partial download did not match the file on the server") from None
        if error.code in _RETRY_STATUS:
            raise _Retryable(f"the server answered HTTP {error.code} {error.reason}") from None
        raise ModelError(
            f"Cannot download {url}: the server answered HTTP {error.code} {error.reason}. "
            "Check the model name (`hark models list`) or the address."
        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise _Retryable(f"could not connect ({reason})") from None
    with response:
        length_header = response.headers.get("Content-Length")
        body_length = int(length_header) if length_header and length_header.isdigit() else None
        if response.status == 206:
            start, total = _content_range_start(response.headers.get("Content-Range"))
            if start != have:
                part.unlink()
                raise _Retryable(f"the server resumed at byte {start} instead of {have}")
            mode = "ab"
        else:
            # 200: the server sends the whole file (it ignored or does not support Range).
            have, total, mode = 0, body_length, "wb"
        received = 0
        with part.open(mode) as out:
            while True:
                try:
                    chunk = response.read(CHUNK_BYTES)
                except (OSError, ValueError) as error:
                    raise _Retryable(
                        f"the connection failed after {have + received} bytes ({error})"
                    ) from None
                if not chunk:
                    break
                out.write(chunk)
                received += len(chunk)
                if progress is not None:
                    progress(have + received, total)
    if body_length is not None and received != body_length:
        expected = total if total is not None else have + body_length
        raise _Retryable(
            f"the connection closed after {have + received} of {expected} bytes (shorter than Content-Length)"
        )
    return have + received
