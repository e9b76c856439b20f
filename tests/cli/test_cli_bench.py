"""`nlptransfer bench`, run as a user runs it: inputs are checked before anything is written."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import skip_unless_installed

skip_unless_installed("torch", "scipy", "yaml", "matplotlib")

GRID = """\
name: tiny
datasets: [sst2]
vectors: [{vectors}]
models: [nbow]
modes: [frozen]
seeds: [0]
max_train_examples: 100
tokenizer: {{name: whitespace}}
train: {{epochs: 1}}
"""


def _bench(tmp_path, vectors: str, *options: str) -> subprocess.CompletedProcess:
    config = tmp_path / "grid.yaml"
    config.write_text(GRID.format(vectors=vectors))
    command = [sys.executable, "-m", "nlptransfer", "--quiet", "bench", str(config)]
    command += ["--out", str(tmp_path / "out"), *options]
    return subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())


def test_dry_run_lists_the_runs_and_writes_nothing(tmp_path, shared_data, monkeypatch):
    monkeypatch.setenv("NLPTRANSFER_DATA", str(shared_data))
    result = _bench(tmp_path, "glove-6b-50d", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "tiny: 1 runs (0 already done)" in result.stdout
    assert "sst2 nbow frozen seed 0" in result.stdout
    assert not (tmp_path / "out").exists()


def test_only_runs_part_of_the_grid(tmp_path, shared_data, monkeypatch):
    monkeypatch.setenv("NLPTRANSFER_DATA", str(shared_data))
    typo = _bench(tmp_path, "glove-6b-50d", "--only", "mode=random")
    words = " ".join(typo.stderr.replace("│", " ").split())  # the error panel wraps lines
    assert typo.returncode == 2 and "the grid's mode values: frozen" in words
    assert not (tmp_path / "out").exists()
    first = _bench(tmp_path, "glove-6b-50d", "--only", "seed=0", "--only", "mode=frozen")
    assert first.returncode == 0, first.stderr
    assert "tiny: 1 runs of 1, chosen by --only (0 already done)" in first.stdout
    assert len((tmp_path / "out" / "runs.jsonl").read_text().splitlines()) == 1


def test_a_missing_vectors_file_fails_before_the_results_folder_is_made(tmp_path):
    (tmp_path / "mine.ntv").mkdir()
    for options in [("--dry-run",), ()]:
        result = _bench(tmp_path, str(tmp_path / "mine"), *options)
        assert result.returncode == 1
        assert f"error: no such file or folder: {tmp_path / 'mine'}" in result.stderr
        assert "(beside it: mine.ntv)" in result.stderr
        assert not (tmp_path / "out").exists()


def test_report_on_a_folder_without_runs_is_a_one_line_error(tmp_path):
    command = [sys.executable, "-m", "nlptransfer", "report", str(tmp_path / "none")]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == f"error: {tmp_path / 'none'}: no finished runs in runs.jsonl to report on"
    )
    assert not (tmp_path / "none").exists()
