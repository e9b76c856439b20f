"""`nlptransfer report --compare OLD NEW`, run as a user runs it, on real results folders."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import skip_unless_installed

skip_unless_installed("scipy", "yaml", "matplotlib")

RESULTS = Path(__file__).parents[1] / "bench" / "results"


def _report(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "nlptransfer", "report", *args]
    return subprocess.run(command, capture_output=True, text=True)


def test_compare_prints_each_cell_old_new_and_the_paired_test():
    old, new = RESULTS / "imdb-before-sentence-masking", RESULTS / "imdb"
    result = _report("--compare", str(old), str(new))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (
        "| imdb | glove.6B.100d.txt.gz | cnn | 1 | frozen | 3 | 85.34 | 85.30 | -0.04 | 0.848 |  |"
        in lines
    )
    assert any(
        "| nbow | 1 | finetune | 0 | - | 86.77 |" in line and "only in NEW" in line
        for line in lines
    )
    assert "0 of 2 cells with two or more pairs moved at p < 0.05" in result.stdout
    assert not (new / "report.md").exists()  # comparing writes nothing


def test_compare_needs_two_folders_and_no_third(tmp_path):
    one = _report("--compare", str(tmp_path))
    assert one.returncode == 2 and "requires 2 arguments" in one.stderr
    both = _report(str(tmp_path), "--compare", str(tmp_path), str(tmp_path))
    assert both.returncode == 2 and "not both" in both.stderr
    missing = _report("--compare", str(tmp_path / "old"), str(RESULTS / "imdb"))
    assert missing.returncode == 1
    assert (
        missing.stderr.strip()
        == f"error: {tmp_path / 'old'}: no finished runs in runs.jsonl to compare"
    )
