"""benchmarks/bench_scale.py runs end to end at small sizes (--quick) and writes its results."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import skip_unless_installed

skip_unless_installed("gensim")

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_quick_run_writes_checked_results(tmp_path):
    out = tmp_path / "results" / "scale"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_scale.py"), "--quick",
         "--workdir", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.with_suffix(".json").read_text())
    for check in report["check"].values():  # ours against gensim, vocab= against full
        assert check["same_words"] and check["bit_identical"] and check["vocab_same"]
    assert 0 < report["check"]["binary"]["vocab_rows"] < report["rows"]
    assert report["shared"]["ours"]["processes"] == 2
    assert all(mib > 0 for mib in report["shared"]["gensim"]["private_mib"])
    assert report["queries"]["top1_agreement"] > 0.9
    assert not any((tmp_path / "work").iterdir())  # the generated files are removed
    table = out.with_suffix(".md").read_text()
    assert "| word2vec binary full load (3,000 x 50), warm memory" in table
    assert "| same, cold memory" in table
    assert "processes querying one store" in table
