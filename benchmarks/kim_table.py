"""The Kim (2014) table: our CNN beside Kim's numbers and the floors set for this project.

Reads the finished runs of three grids (run them first, see ``benchmarks/README.md``):

* ``configs/kim2014.yaml``      -> ``benchmarks/results/kim2014/`` (GloVe 6B 100d; MR, SST-2,
  Subj, TREC; random / frozen / fine-tuned / multichannel)
* ``configs/sst2-phrases.yaml`` -> ``benchmarks/results/sst2-phrases/`` (SST-2 trained on phrases)
* ``configs/sst2-vectors.yaml`` -> ``benchmarks/results/sst2-vectors/`` (GloVe 50d, word2vec)

and, when it has been run, ``configs/shared-subset.yaml`` -> ``benchmarks/results/shared-subset/``
(full GloVe 6B 50d against the same vectors cut to the ``../shared/data`` subset's words: what the
subset's missing vocabulary costs),

and, when it has been run, ``configs/sst2-phrases-ceiling.yaml`` ->
``benchmarks/results/sst2-phrases-ceiling/`` (the phrase-trained CNN's test accuracy after every
epoch: the best any choice of epoch could give, against the floors),

and measures how much of each dataset's tokens each vectors file covers (the fallback rules of
:mod:`nlptransfer.vectors.coverage`, whitespace tokens as the grids use). Writes
``benchmarks/results/kim-table.md`` and ``.json``; missing folders are reported, not fatal.

Usage:
    NLPTRANSFER_DATA=../shared/data .venv/bin/python benchmarks/kim_table.py [--skip-coverage]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from nlptransfer._util.files import atomic_output
from nlptransfer.bench.epochs import by_epoch_table, epoch_curves
from nlptransfer.bench.results import ResultsStore
from nlptransfer.bench.summary import KIM_2014, ModeSummary, arm, summarize

logger = logging.getLogger("kim_table")

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
FOLDERS = ("kim2014", "sst2-phrases", "sst2-vectors")
MODES = ("random", "frozen", "finetune", "multichannel")
#: The floors the project set for Kim's CNN with GloVe 6B 100d (mean test accuracy, 5 seeds or
#: the 10 cross-validation folds).
FLOORS = {
    "sst2": {"random": 79.5, "frozen": 80.5, "finetune": 82.0},
    "sst2-phrases": {"frozen": 84.0, "finetune": 85.0},
    "trec": {"random": 88.0, "frozen": 91.5, "finetune": 91.5},
    "mr": {"random": 72.0, "frozen": 75.5, "finetune": 76.5},
}
DATASET_ORDER = ("sst2", "sst2-phrases", "trec", "mr", "subj")
GLOVE_100D = "glove.6B.100d.txt.gz"


def _load_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for name in FOLDERS:
        folder = RESULTS / name
        found = list(ResultsStore(folder).records()) if (folder / "runs.jsonl").exists() else []
        if not found:
            logger.warning("%s: no finished runs (run configs/%s.yaml first)", folder, name)
        records += found
    return records


def _summaries(records: list[dict[str, Any]]) -> list[ModeSummary]:
    summaries, _ = summarize(records)
    return [s for s in summaries if s.model == "cnn" and s.train_fraction == 1.0]


def subset_cost_table(folder: Path) -> list[str]:
    """Full GloVe 50d vs the same vectors cut to the shared subset's words, paired by seed."""
    if not (folder / "runs.jsonl").exists():
        logger.warning("%s: no finished runs (run configs/shared-subset.yaml first)", folder)
        return []
    accuracy: dict[tuple[str, str, bool], dict[int, float]] = {}
    for r in ResultsStore(folder).records():
        cut = r["vectors"] != "glove-6b-50d"
        key = (r["dataset"]["name"], r["mode"], cut)
        accuracy.setdefault(key, {})[r["seed"]] = 100 * r["metrics"]["test"]["accuracy"]
    lines = [
        "| dataset | mode | full 50d | cut to the subset's words | cut - full (paired) | p |",
        "|---|---|---|---|---|---|",
    ]
    for dataset, mode in sorted(
        {(d, m) for d, m, _ in accuracy}, key=lambda k: (k[0], MODES.index(k[1]))
    ):
        full, cut = (
            accuracy.get((dataset, mode, False), {}),
            accuracy.get((dataset, mode, True), {}),
        )
        seeds = sorted(full.keys() & cut.keys())
        if len(seeds) < 2:
            continue
        diffs = [cut[s] - full[s] for s in seeds]
        p = stats.ttest_rel([cut[s] for s in seeds], [full[s] for s in seeds]).pvalue
        lines.append(
            f"| {dataset} | {mode} | {np.mean([full[s] for s in seeds]):.2f} "
            f"| {np.mean([cut[s] for s in seeds]):.2f} | {np.mean(diffs):+.2f} "
            f"| {p:.2f} (n={len(seeds)}) |"
        )
    return lines


def ceiling_table(folder: Path) -> list[str]:
    """Each mode's test accuracy at the kept epoch and at each run's best test epoch (oracle)."""
    if not (folder / "runs.jsonl").exists():
        logger.warning("%s: no finished runs (run configs/sst2-phrases-ceiling.yaml first)", folder)
        return []
    curves = epoch_curves(list(ResultsStore(folder).records()))
    lines = [
        "| dataset | mode | n | test at the epoch kept (best dev) "
        "| best test epoch of each run (oracle) | its mean epoch | floor |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in curves:
        floor = FLOORS.get(c.dataset, {}).get(c.mode)
        mark = "" if floor is None else (" ✓" if c.oracle_test_mean >= floor else " ✗")
        lines.append(
            f"| {c.dataset} | {c.mode} | {c.n} | {c.kept_test_mean:.2f} "
            f"| {c.oracle_test_mean:.2f}{mark} | {c.oracle_epoch_mean:.1f} "
            f"| {'-' if floor is None else floor} |"
        )
    return [*lines, "", by_epoch_table(curves)]


def _cell(summary: ModeSummary | None, floor: float | None) -> str:
    if summary is None:
        return "-"
    text = f"{summary.accuracy_mean:.1f} ± {summary.accuracy_std:.1f}"
    if floor is not None:
        text += " ✓" if round(summary.accuracy_mean, 2) >= floor else " ✗"
    return text


def glove_table(summaries: list[ModeSummary]) -> list[str]:
    by_key = {(s.dataset, s.mode): s for s in summaries if s.vectors == GLOVE_100D}
    lines = [
        "| dataset | n | random | frozen | fine-tuned | multichannel | floors (rand / frozen / "
        "fine-tuned) | Kim 2014, word2vec 300d (rand / static / non-static / multichannel) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for dataset in DATASET_ORDER:
        cells = [by_key.get((dataset, mode)) for mode in MODES]
        if not any(cells):
            continue
        floors = FLOORS.get(dataset, {})
        n = max(c.n for c in cells if c)
        kim = KIM_2014.get(dataset, {})
        lines.append(
            f"| {dataset} | {n} | "
            + " | ".join(_cell(c, floors.get(m)) for c, m in zip(cells, MODES, strict=True))
            + " | "
            + " / ".join(str(floors.get(m, "-")) for m in MODES[:3])
            + " | "
            + " / ".join(str(kim.get(m, "-")) for m in MODES)
            + " |"
        )
    return lines


def dev_table(records: list[dict[str, Any]]) -> list[str]:
    """Dev beside test accuracy with GloVe 100d: the dev figure is the early-stopping epoch's."""
    cells: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for record in records:
        if record["model"] != "cnn" or Path(record["vectors"]).name != GLOVE_100D:
            continue
        if record.get("train_fraction", 1.0) != 1.0:
            continue
        metrics = record["metrics"]
        cells.setdefault((record["dataset"]["name"], arm(record)), []).append(
            (100 * metrics["dev"]["accuracy"], 100 * metrics["test"]["accuracy"])
        )
    lines = [
        "| dataset | " + " | ".join(f"{m} dev / test" for m in MODES) + " |",
        "|---|" + "---|" * len(MODES),
    ]
    for dataset in DATASET_ORDER:
        row = []
        for mode in MODES:
            pairs = cells.get((dataset, mode))
            if not pairs:
                row.append("-")
                continue
            dev = sum(d for d, _ in pairs) / len(pairs)
            test = sum(t for _, t in pairs) / len(pairs)
            row.append(f"{dev:.1f} / {test:.1f}")
        if any(cell != "-" for cell in row):
            lines.append(f"| {dataset} | " + " | ".join(row) + " |")
    return lines


def vectors_table(summaries: list[ModeSummary], coverage: dict[str, dict[str, Any]]) -> list[str]:
    rows = sorted({s.vectors for s in summaries if s.dataset == "sst2"})
    lines = [
        "| vectors | dim | random | frozen | fine-tuned | SST-2 token coverage | type coverage |",
        "|---|---|---|---|---|---|---|",
    ]
    by_key = {(s.vectors, s.mode): s for s in summaries if s.dataset == "sst2"}
    for vectors in rows:
        cov = coverage.get(vectors, {}).get("sst2", {})
        lines.append(
            f"| {vectors} | {cov.get('dim', '-')} | "
            + " | ".join(_cell(by_key.get((vectors, m)), None) for m in MODES[:3])
            + f" | {cov.get('token_coverage', '-')} | {cov.get('type_coverage', '-')} |"
        )
    return lines


def measure_coverage(vector_sources: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Coverage of every dataset (all splits, whitespace tokens) by every vectors file."""
    import nlptransfer
    from nlptransfer.text.tokenize import get_tokenizer

    tokenizer = get_tokenizer("whitespace")
    counts: dict[str, Counter[str]] = {}
    for dataset in DATASET_ORDER:
        data = nlptransfer.load_dataset(dataset)
        counter: Counter[str] = Counter()
        for split in data.values():
            for tokens in tokenizer.tokenize_batch(split["text"]):
                counter.update(tokens)
        counts[dataset] = counter
    out: dict[str, dict[str, Any]] = {}
    for label, source in vector_sources.items():
        vectors = nlptransfer.load_vectors(source, progress=False)
        out[label] = {}
        for dataset, counter in counts.items():
            report = vectors.coverage(counter)
            out[label][dataset] = {
                "dim": vectors.dim,
                "words": len(vectors),
                "token_coverage": f"{100 * report.token_coverage:.1f}%",
                "type_coverage": f"{100 * report.type_coverage:.1f}%",
                "top_missing": [w for w, _ in report.missing[:8]],
            }
    return out


def coverage_table(coverage: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| vectors | words | dataset | tokens covered | types covered | most frequent missing |",
        "|---|---|---|---|---|---|",
    ]
    for vectors, per_dataset in coverage.items():
        for dataset, cov in per_dataset.items():
            missing = " ".join(f"`{w}`" for w in cov["top_missing"])
            lines.append(
                f"| {vectors} | {cov['words']:,} | {dataset} | {cov['token_coverage']} | "
                f"{cov['type_coverage']} | {missing} |"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-coverage", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS / "kim-table.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    data = Path(os.environ.setdefault("NLPTRANSFER_DATA", str(ROOT.parent / "shared" / "data")))
    records = _load_records()
    summaries = _summaries(records)
    sources = {
        GLOVE_100D: str(data / "vectors" / GLOVE_100D),
        "glove-6b-50d": "glove-6b-50d",
        "GoogleNews-vectors-negative300-bolukbasi.bin.gz": str(
            data / "vectors" / "GoogleNews-vectors-negative300-bolukbasi.bin.gz"
        ),
    }
    coverage = {} if args.skip_coverage else measure_coverage(sources)
    lines = [
        "# Kim (2014)'s CNN: ours beside the paper",
        "",
        "Mean test accuracy (%) ± standard deviation over 5 seeds (SST-2, TREC) or the 10 "
        "cross-validation folds (MR, Subj); ✓/✗: at or above the project's floor or not. "
        "Kim used word2vec GoogleNews 300d and trained SST-2 on phrases as well; ours uses the "
        "GloVe 6B 100d subset in `../shared/data` (it lacks `a`, `'s`, `n't`, digits).",
        "",
        "## GloVe 6B 100d",
        "",
        *glove_table(summaries),
        "",
        "## Dev beside test",
        "",
        "Mean accuracy (%) on the dev set (the early-stopping epoch's, so it is biased upward by "
        "the selection) and on the test set. For `sst2-phrases` the dev set is the split GLUE "
        "calls `validation`, the only labelled evaluation split GLUE publishes for SST-2.",
        "",
        *dev_table(records),
        "",
        "## SST-2 (sentences) with other vectors",
        "",
        *vectors_table(summaries, coverage),
        "",
    ]
    subset_cost = subset_cost_table(RESULTS / "shared-subset")
    if subset_cost:
        lines += [
            "## What the subset's missing words cost",
            "",
            "GloVe 6B 50d in full (400,000 words) against the same vectors cut to exactly the "
            "words of the `../shared/data` 100d subset (so it too lacks `a`, `i`, `'s`, `n't`, "
            "digits, `--`), Kim's CNN as above; mean test accuracy (%) and a paired t-test over "
            "the seeds. `configs/shared-subset.yaml`.",
            "",
            *subset_cost,
            "",
        ]
    ceiling = ceiling_table(RESULTS / "sst2-phrases-ceiling")
    if ceiling:
        lines += [
            "## The best any epoch could do on phrases",
            "",
            "`configs/sst2-phrases-ceiling.yaml`: the `sst2-phrases` runs again, 10 epochs "
            "without early stopping, scoring the test set after every epoch. The kept epoch is "
            "still the best dev epoch; the oracle takes each run's best *test* epoch instead, "
            "which no rule for choosing the epoch can beat. ✓/✗: the oracle at or above the "
            "floor or not.",
            "",
            *ceiling,
            "",
        ]
    if coverage:
        lines += ["## Coverage of each vectors file", "", *coverage_table(coverage), ""]
    text = "\n".join(lines)
    with atomic_output(args.out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    with atomic_output(args.out.with_suffix(".json")) as tmp:
        payload = {"summaries": [s.__dict__ for s in summaries], "coverage": coverage}
        tmp.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
