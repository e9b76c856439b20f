"""``compare`` end to end on a small real dataset (SST-2 sentences), on a small budget.

The runs, the report files and summary.json's schema; the recommendation checked against the
rule on the run's own numbers (runs.jsonl); a second call (through the CLI) resumes: no run is
trained again.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from nlptransfer.bench.results import ResultsStore
from nlptransfer.bench.verdict import MATERIAL_SPEED_UP, system_name
from nlptransfer.cli.main import app

BUDGET = {"epochs": 2, "max_train_examples": 240, "seeds": 2}


def write_csv(path, lines):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        for line in lines:
            label, text = line.split(" ", 1)
            writer.writerow([text, "positive" if label == "1" else "negative"])
    return path


@pytest.fixture(scope="module")
def outcome(shared_file, tmp_path_factory):
    from nlptransfer import compare

    folder = tmp_path_factory.mktemp("compare")
    train = shared_file("kim2014/stsa.binary.train").read_text(encoding="utf-8").splitlines()
    test = shared_file("kim2014/stsa.binary.test").read_text(encoding="utf-8").splitlines()
    train_file = write_csv(folder / "reviews.csv", train[:400])
    test_file = write_csv(folder / "reviews-test.csv", test[:200])
    result = compare(
        train_file,
        test_file=test_file,
        out=folder / "out",
        curve=True,
        tokenizer={"name": "whitespace"},
        draws=300,
        progress=False,
        **BUDGET,
    )
    return result, train_file, test_file


def test_writes_the_report_files_and_the_summary_schema(outcome):
    result, _, _ = outcome
    folder = result.folder
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["recommendation"]) >= {"system", "reason"}
    assert summary["recommendation"]["reason"].startswith(summary["recommendation"]["system"])
    names = [s["name"] for s in summary["systems"]]
    assert {"cnn-random", "cnn-frozen", "cnn-finetune"} <= set(names)
    for s in summary["systems"]:
        low, high = s["accuracy"]["ci95"]
        assert low <= s["accuracy"]["mean"] <= high
        assert s["train_seconds"] > 0 and s["runs"] == 2
    assert summary["data"]  # the data summary, whichever module made it
    assert summary["learning_curve"]["crossing"]
    assert [p["train_examples"] for p in summary["learning_curve"]["points"]] == [24, 72, 240]
    assert summary["drift"]["moved_most"] and (folder / "model" / "README.md").is_file()
    md = (folder / "report.md").read_text(encoding="utf-8")
    assert f"**Use {summary['recommendation']['system']}.**" in md
    assert "cannot go below p = 0.5" in md  # two seeds: what the Wilcoxon test can show
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 2  # systems and learning curve, inline
    for external in ('src="http', "href=", "<script", "<link"):
        assert external not in page


def test_recommendation_follows_the_rule_on_the_runs_own_numbers(outcome):
    result, _, test_file = outcome
    records = list(ResultsStore(result.folder).records())
    full = [r for r in records if r["train_fraction"] == max(x["train_fraction"] for x in records)]
    by_system: dict[str, dict[int, dict]] = {}
    for r in full:
        by_system.setdefault(system_name(r), {})[r["seed"]] = r
    accuracy = {
        n: np.mean([r["metrics"]["test"]["accuracy"] for r in rs.values()])
        for n, rs in by_system.items()
    }
    seconds = {
        n: np.mean([r["timings"]["train_seconds"] for r in rs.values()])
        for n, rs in by_system.items()
    }
    # the best has the highest mean accuracy (a tie goes to the faster system)
    best = result.recommendation.best
    assert accuracy[best] == pytest.approx(max(accuracy.values()), abs=1e-9)
    tied = [n for n in accuracy if accuracy[n] == pytest.approx(accuracy[best], abs=1e-9)]
    assert seconds[best] == min(seconds[n] for n in tied)
    with open(test_file, encoding="utf-8") as f:
        gold = [0 if row["label"] == "negative" else 1 for row in csv.DictReader(f)]
    not_worse = [best]
    for name in by_system:
        if name == best:
            continue
        a, b = by_system[best], by_system[name]
        if all("predictions" in r for r in [*a.values(), *b.values()]):
            # per-example: McNemar per seed agrees with scipy; the decision is the bootstrap's
            comparison = next(c for c in result.verdict.comparisons if c.other == name)
            for seed in a:
                ra = np.array(a[seed]["predictions"]["test"]) == np.array(gold)
                rb = np.array(b[seed]["predictions"]["test"]) == np.array(gold)
                only_a, only_b = int((ra & ~rb).sum()), int((~ra & rb).sum())
                expected = (
                    stats.binomtest(min(only_a, only_b), only_a + only_b).pvalue
                    if only_a + only_b
                    else 1.0
                )
                assert comparison.mcnemar_p[seed] == pytest.approx(expected)
            worse = comparison.ci95[0] > 0
        else:
            diffs = [
                a[s]["metrics"]["test"]["accuracy"] - b[s]["metrics"]["test"]["accuracy"] for s in a
            ]
            p = (
                stats.ttest_rel(diffs, np.zeros(len(diffs))).pvalue
                if np.ptp(diffs) > 0
                else (0.0 if diffs[0] else 1.0)
            )
            worse = p < 0.05 and np.mean(diffs) > 0
        if not worse:
            not_worse.append(name)
    assert sorted(result.recommendation.not_worse) == sorted(not_worse)
    cheapest = min(not_worse, key=seconds.get)  # unless it is faster by timing noise only
    expected = cheapest if seconds[cheapest] * MATERIAL_SPEED_UP <= seconds[best] else best
    assert result.recommendation.system == expected


def test_the_cli_resumes_the_same_comparison_without_training_again(outcome):
    result, train_file, test_file = outcome
    before = (result.folder / "runs.jsonl").read_text(encoding="utf-8")
    args = [
        "compare",
        "--train-file",
        str(train_file),
        "--test-file",
        str(test_file),
        "--out",
        str(result.folder),
        "--seeds",
        "2",
        "--epochs",
        "2",
        "--max-train-examples",
        "240",
        "--tokenizer",
        "whitespace",
        "--curve",
    ]
    outcome_cli = CliRunner().invoke(app, args)
    assert outcome_cli.exit_code == 0, outcome_cli.output
    assert "Use " in outcome_cli.output and "report.html" in outcome_cli.output
    assert (result.folder / "runs.jsonl").read_text(encoding="utf-8") == before
