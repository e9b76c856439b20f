"""`nlptransfer vectors list` and `nlptransfer vectors download`, against a local server."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from importlib.util import find_spec

import pytest
from typer.testing import CliRunner

from nlptransfer.cli.main import app
from nlptransfer.errors import OfflineError
from nlptransfer.vectors.cache import store_path
from tests.conftest import gensim_data
from tests.vectors.fault_server import FaultServer

runner = CliRunner()


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A local server with a zipped real GloVe file, and a catalogue entry `tiny-glove` for it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("test_glove.txt", gensim_data("test_glove.txt").read_bytes())
    data = buffer.getvalue()
    catalog = tmp_path / "catalog.toml"
    monkeypatch.setenv("NLPTRANSFER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NLPTRANSFER_CATALOG", str(catalog))
    monkeypatch.delenv("NLPTRANSFER_OFFLINE", raising=False)
    with FaultServer() as server:
        catalog.write_text(
            f'[vectors.tiny-glove]\nurl = "{server.add("/glove.zip", data)}"\n'
            f'sha256 = "{hashlib.sha256(data).hexdigest()}"\nformat = "glove"\ndim = 50\n'
            f'[vectors.not-here]\nurl = "{server.url("/missing.zip")}"\n'
        )
        yield server


def listing() -> dict[str, dict]:
    result = runner.invoke(app, ["vectors", "list", "--json"])
    assert result.exit_code == 0, result.output
    return {row["name"]: row for row in json.loads(result.stdout)}


def test_list_shows_what_exists_what_is_cached_and_sizes(served):
    rows = listing()
    assert {"glove-6b-100d", "glove-840b-300d", "tiny-glove"} <= set(rows)
    assert rows["glove-6b-100d"]["download_bytes"] == 134300434
    assert rows["glove-6b-100d"]["verification"] == "partial"
    assert rows["glove-6b-50d"]["cached"] and rows["glove-6b-50d"]["installed"]
    assert not rows["tiny-glove"]["cached"] and rows["tiny-glove"]["verification"] == "verified"

    table = runner.invoke(app, ["vectors", "list"])
    assert table.exit_code == 0, table.output
    assert "word2vec-google-news-300" in table.stdout and "128.1 MiB" in table.stdout
    assert "fasttext-wiki-news-300d-1m-subword" in table.stdout  # long names are not cut


def test_download_then_list_shows_it_cached(served):
    result = runner.invoke(app, ["vectors", "download", "tiny-glove"])
    assert result.exit_code == 0, result.output
    assert "tiny-glove: cached at" in result.stdout and store_path("tiny-glove").is_dir()
    row = listing()["tiny-glove"]
    assert row["cached"] and row["store"] == str(store_path("tiny-glove"))
    assert row["cached_bytes"] > 0
    cached = runner.invoke(app, ["vectors", "list", "--cached", "--json"])
    installed = {"wordllama-l2-256"} if find_spec("wordllama") else set()  # its PyPI package
    assert {r["name"] for r in json.loads(cached.stdout)} == {"glove-6b-50d", "tiny-glove"} | (
        installed
    )
    again = runner.invoke(app, ["vectors", "download", "tiny-glove", "glove-6b-50d"])
    assert again.exit_code == 0 and "installed from PyPI" in again.stdout
    assert len(served.requests()) == 1


def test_download_offline_fails_with_the_reason(served, monkeypatch):
    monkeypatch.setenv("NLPTRANSFER_OFFLINE", "1")
    result = runner.invoke(app, ["vectors", "download", "tiny-glove"])
    assert result.exit_code == 1 and isinstance(result.exception.__cause__, OfflineError)
    assert "error: offline mode is on" in result.output
    assert served.requests() == []


def test_failed_download_is_one_line_and_exit_status_1(served):
    process = subprocess.run(
        [sys.executable, "-m", "nlptransfer", "-q", "vectors", "download", "not-here"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 1
    assert "error: could not download not-here" in process.stderr and "HTTP 404" in process.stderr
    assert "Traceback" not in process.stderr
