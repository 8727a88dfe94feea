"""Every test here keeps the phrase library and favourites in its own temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HARK_PHRASES", str(tmp_path / "user" / "phrases.json"))
    monkeypatch.setenv("HARK_FAVOURITES", str(tmp_path / "user" / "favourites.json"))
    return tmp_path / "user"
