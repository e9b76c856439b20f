"""Pretrain vectors on IMDB's training reviews, then benchmark them against general GloVe.

Makes the three vector sets that ``configs/imdb-pretrain.yaml`` compares, then runs that grid
with ``nlptransfer bench`` and adds a section on the vectors themselves to its report:

1. the 25,000 training reviews (unlabelled: the labels are not used; no test review is) are
   written one a line and tokenised once with spaCy, lowercased;
2. word2vec (CBOW) and fastText, 50 dimensions, 5 epochs, min count 5, are trained on them, and
   GloVe 6B 50d is adapted to them (word2vec training started from GloVe's vectors, GloVe's
   other words kept unchanged);
3. ``nlptransfer bench configs/imdb-pretrain.yaml`` trains the classifiers (results in
   ``benchmarks/results/imdb-pretrain/``).

Stores go to ``benchmarks/.work/imdb-pretrain/`` (git-ignored) and are reused when present
(``--force`` retrains). Everything runs offline; on 2 cores the pretraining takes a few minutes
and the grid (24 runs, each tokenising IMDB's 25,000 test reviews with spaCy) about half an hour.

Usage::

    python benchmarks/pretrain_imdb.py [--data ../shared/data] [--jobs 2] [--force] [--no-bench]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from nlptransfer import load_vectors
from nlptransfer._util.files import atomic_output
from nlptransfer.pretrain.corpus import tokenize_corpus
from nlptransfer.pretrain.training import pretrain_vectors

logger = logging.getLogger("pretrain_imdb")

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "configs" / "imdb-pretrain.yaml"
WORK = REPO / "benchmarks" / ".work" / "imdb-pretrain"
RESULTS = REPO / "benchmarks" / "results" / "imdb-pretrain"
DIM = 50
EPOCHS = 5
MIN_COUNT = 5
#: fastText n-gram buckets: 500,000 x 50 floats = 100 MB (fastText's 2 M would be 400 MB).
BUCKET = 500_000
PROBES = ("movie", "plot", "awful", "cheesy", "oscar")

#: store name -> pretrain_vectors settings; names match configs/imdb-pretrain.yaml.
VECTORS = {
    "imdb-word2vec-50d": {"algorithm": "word2vec"},
    "imdb-fasttext-50d": {"algorithm": "fasttext", "bucket": BUCKET},
    "glove-6b-50d-imdb-adapted": {"algorithm": "word2vec", "init": "glove-6b-50d"},
}


def write_reviews(train_csv: Path, out: Path) -> int:
    """IMDB's training reviews, one a line (``<br />`` made a space), gzip; returns the count."""
    count = 0
    with (
        gzip.open(train_csv, "rt", encoding="utf-8", newline="") as source,
        atomic_output(out) as tmp,
        gzip.open(tmp, "wt", encoding="utf-8") as sink,
    ):
        for row in csv.DictReader(source):
            sink.write(" ".join(row["text"].replace("<br />", " ").split()) + "\n")
            count += 1
    return count


def pretrain_all(data: Path, workers: int, force: bool) -> dict[str, dict]:
    """Train (or reuse) the three stores; returns each one's pretraining record."""
    WORK.mkdir(parents=True, exist_ok=True)
    reviews = WORK / "imdb-train-reviews.txt.gz"
    tokens = WORK / "imdb-train-reviews.tokens.txt"
    if force or not reviews.exists():
        n = write_reviews(data / "imdb" / "train.csv.gz", reviews)
        logger.info("wrote %d reviews to %s", n, reviews)
    if force or not tokens.exists():
        stats = tokenize_corpus(reviews, tokens, tokenizer="spacy", lowercase=True, workers=workers)
        (WORK / "tokenising.json").write_text(json.dumps(stats.to_dict(), indent=2))
    records = {}
    for name, settings in VECTORS.items():
        store = WORK / f"{name}.ntv"
        if force or not store.exists():
            pretrain_vectors(
                tokens,  # tokenised once above: the whitespace tokenizer splits it back
                tokenizer="whitespace",
                lowercase=True,
                dim=DIM,
                epochs=EPOCHS,
                min_count=MIN_COUNT,
                workers=workers,
                seed=0,
                out=WORK / name,
                **settings,
            )
        records[name] = load_vectors(store).meta["pretrain"]
    return records


def run_bench(data: Path, jobs: int) -> None:
    env = {**os.environ, "NLPTRANSFER_DATA": str(data), "NLPTRANSFER_OFFLINE": "1"}
    command = [sys.executable, "-m", "nlptransfer", "bench", str(CONFIG)]
    command += ["--out", str(RESULTS), "--jobs", str(jobs)]
    logger.info("running %s", " ".join(command))
    subprocess.run(command, cwd=REPO, env=env, check=True)


def vectors_section(records: dict[str, dict]) -> str:
    """Markdown on the pretraining runs and the neighbours each set gives a few probe words."""
    tokenising = json.loads((WORK / "tokenising.json").read_text())
    lines = [
        "## The vectors",
        "",
        f"Corpus: IMDB's {tokenising['documents']:,} training reviews, {tokenising['tokens']:,} "
        f"spaCy tokens (lowercased), tokenised once in {tokenising['seconds']:.0f} s. All sets "
        f"{DIM}d; the trained ones CBOW, window 5, min count {MIN_COUNT}, {EPOCHS} epochs, "
        f"fastText n-grams 3-6 in {BUCKET:,} buckets. Timings on this machine "
        f"({os.cpu_count()} cores).",
        "",
        "| vectors | words | trained vocabulary | train s | words/s | notes |",
        "|---|---:|---:|---:|---:|---|",
    ]
    glove = load_vectors("glove-6b-50d")
    lines.append(f"| glove-6b-50d | {len(glove):,} | - | - | - | general: Wikipedia + Gigaword |")
    sets = {"glove-6b-50d": glove}
    for name, record in records.items():
        vectors = load_vectors(WORK / f"{name}.ntv")
        sets[name] = vectors
        notes = "subword n-grams" if vectors.has_subwords else ""
        if "init" in record:
            init = record["init"]
            notes = (
                f"{init['shared_words']:,} corpus words started from GloVe, {init['new_words']:,} "
                f"random; {init['kept_words']:,} GloVe words kept unchanged"
            )
        lines.append(
            f"| {name} | {len(vectors):,} | {record['corpus']['vocabulary']:,} | "
            f"{record['train_seconds']:.0f} | {record['words_per_second']:,} | {notes} |"
        )
    lines += ["", "Nearest neighbours (cosine, top 5):", ""]
    lines += ["| word | " + " | ".join(sets) + " |", "|---" * (len(sets) + 1) + "|"]
    for word in PROBES:
        cells = []
        for vectors in sets.values():
            cells.append(
                ", ".join(w for w, _ in vectors.nearest([word], k=5)[0]) if word in vectors else "-"
            )
        lines.append(f"| {word} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def against_glove() -> str:
    """Markdown: each domain set minus general GloVe, test accuracy paired by seed and mode."""
    from scipy import stats

    from nlptransfer.bench.results import ResultsStore

    accuracy: dict[tuple[str, str], dict[int, float]] = {}
    for record in ResultsStore(RESULTS).records():
        name = Path(record["vectors"]).name.removesuffix(".ntv")
        key = (name, record["mode"])
        accuracy.setdefault(key, {})[record["seed"]] = 100 * record["metrics"]["test"]["accuracy"]
    lines = [
        "## Against general GloVe",
        "",
        "Test accuracy of each set minus GloVe 6B 50d's, in points, paired by seed (same "
        "training subsample and initialisation); 95% CI and paired t-test p over the seeds.",
        "",
        "| vectors | mode | GloVe % | these % | difference [95% CI] | p |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name in VECTORS:
        for mode in ("frozen", "finetune"):
            base, ours = accuracy.get(("glove-6b-50d", mode)), accuracy.get((name, mode))
            if not base or not ours:
                continue
            seeds = sorted(set(base) & set(ours))
            diff = np.array([ours[s] - base[s] for s in seeds])
            half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
            p = stats.ttest_rel([ours[s] for s in seeds], [base[s] for s in seeds]).pvalue
            lines.append(
                f"| {name} | {mode} | {np.mean([base[s] for s in seeds]):.2f} | "
                f"{np.mean([ours[s] for s in seeds]):.2f} | {diff.mean():+.2f} [±{half:.2f}] | "
                f"{p:.3g} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("NLPTRANSFER_DATA", REPO.parent / "shared" / "data")),
        help="folder holding imdb/train.csv.gz and imdb/test.csv.gz",
    )
    parser.add_argument("--jobs", type=int, default=2, help="benchmark runs at a time")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--force", action="store_true", help="retrain the stores")
    parser.add_argument("--no-bench", action="store_true", help="only pretrain")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    records = pretrain_all(args.data.resolve(), args.workers, args.force)
    logger.info("pretraining done in %.0f s", time.perf_counter() - started)
    if args.no_bench:
        return
    run_bench(args.data.resolve(), args.jobs)
    section = against_glove() + "\n" + vectors_section(records)
    (RESULTS / "vectors.md").write_text(section, encoding="utf-8")
    report = RESULTS / "report.md"
    report.write_text(report.read_text(encoding="utf-8") + "\n" + section, encoding="utf-8")
    (RESULTS / "pretraining.json").write_text(json.dumps(records, indent=2) + "\n")
    logger.info("report: %s", report)


if __name__ == "__main__":
    main()
