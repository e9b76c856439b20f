"""The report's files, written from records shaped as the runner writes them."""

from __future__ import annotations

import pytest

from nlptransfer.bench.report import write_report
from nlptransfer.bench.results import ResultsStore
from nlptransfer.bench.summary import summarize


def test_a_single_run_claims_no_spread_and_a_single_pair_no_verdict(tmp_path, record):
    store = ResultsStore(tmp_path)
    store.append(record("imdb", "frozen", 0, 0.8596))
    store.append(record("imdb", "finetune", 0, 0.8580))
    _, comparisons = summarize(list(store.records()))
    assert [c.verdict for c in comparisons] == ["one pair: untested"]
    text = write_report(tmp_path).read_text()
    assert "| 85.96 (one run) |" in text and "± 0.00" not in text
    assert "| finetune − frozen | 1 | -0.16 | - | - | **one pair: untested** |" in text


def test_write_report_files(tmp_path, records):
    store = ResultsStore(tmp_path)
    for r in records:
        store.append(r)
    path = write_report(tmp_path, title="demo")
    text = path.read_text()
    assert "# demo" in text and "finetune − frozen" in text and "**helps**" in text
    assert "Kim 2014" in text  # sst2 with cnn gets the published numbers beside ours
    assert "by epoch" not in text  # no run tracked the test set every epoch
    assert (tmp_path / "plots" / "bars-glove.txt-cnn.png").stat().st_size > 1000
    assert "![bars-glove.txt-cnn](plots/bars-glove.txt-cnn.png)" in text
    assert (tmp_path / "summary.csv").read_text().startswith("dataset,vectors,model")
    leftovers = [p.name for p in tmp_path.rglob("*") if ".tmp-" in p.name]
    assert not leftovers  # files are written to a temporary sibling, then renamed into place


def test_empty_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no finished runs"):
        write_report(tmp_path)
