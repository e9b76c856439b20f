"""Lookup benchmark: batched exact neighbours, analogy evaluation and the HNSW index, on GloVe.

What it measures, in one run, on the full GloVe 6B 50d (400,000 words; see
``benchmarks/README.md`` for the goals and the last results):

1. Nearest neighbours: ``--queries`` words drawn at random (seeded) from the whole vocabulary,
   top ``--k``. Ours: one call of ``Vectors.nearest(words, k)``; gensim:
   ``KeyedVectors.most_similar(word, topn=k)`` once per query. Both sides are warmed first
   (gensim's norms, our unit matrix), and the repeats are interleaved so that a slow spell of a
   shared machine falls on both alike; the best of ``--repeat`` runs counts. Our time including
   the first normalisation of the matrix ("cold") is reported too. Both sides are timed with
   the default BLAS threads and, when threadpoolctl is installed, with one BLAS thread (both
   under the same setting): on small shared machines BLAS threads can cost more than they give.

   Before any timing, the results are checked: for every query the ten scores must agree
   within 1e-5 and the words must be the same except where gensim's own scores tie, so the
   benchmark cannot report the speed of a wrong answer.

2. Analogy evaluation: Google's ``questions-words.txt`` (19,544 questions) with gensim's
   defaults (``restrict_vocab=300000``, case-insensitive): ``nlptransfer.intrinsic.analogies``
   against ``KeyedVectors.evaluate_word_analogies``, once each (gensim takes minutes). The two
   must give identical sections, question by question, before the times are reported.

3. The approximate index (faiss HNSW, ``m=16, ef_construction=100``): build time, then for
   several ``ef_search`` the time of the same queries as one batch and one at a time, and
   recall@10 against the exact results of step 1.

Results go to ``--out`` (Markdown) and the same path with ``.json``; the tables are printed.

Usage:
    .venv/bin/python benchmarks/bench_lookup.py [--queries 1000] [--repeat 3] [--skip-ann]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger("bench_lookup")

ROOT = Path(__file__).resolve().parent.parent
NAME = "glove-6b-50d"
NEIGHBOURS_GOAL = 10.0
EF_SEARCH = (32, 64, 128, 256)
SCORE_TOLERANCE = 1e-5


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """``(wall seconds, CPU seconds of all threads, result)`` of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def same_top(ours: list[tuple[str, float]], theirs: list[tuple[str, float]]) -> str:
    """``"same"``, ``"ties"`` (words differ only among equal scores) or what is wrong."""
    if [w for w, _ in ours] == [w for w, _ in theirs]:
        if np.allclose([s for _, s in ours], [s for _, s in theirs], atol=SCORE_TOLERANCE):
            return "same"
        return f"scores differ: {ours} vs {theirs}"
    if len(ours) != len(theirs):
        return f"lengths differ: {ours} vs {theirs}"
    if not np.allclose([s for _, s in ours], [s for _, s in theirs], atol=SCORE_TOLERANCE):
        return f"scores differ: {ours} vs {theirs}"
    last = theirs[-1][1]
    for (word, score), (their_word, their_score) in zip(ours, theirs, strict=True):
        if word != their_word:
            # equal scores may come in either order, and a tie at the cut may keep either word
            tied = {w for w, s in theirs if abs(s - score) <= SCORE_TOLERANCE}
            at_cut = abs(score - last) <= SCORE_TOLERANCE
            if (word not in tied and not at_cut) or abs(their_score - score) > SCORE_TOLERANCE:
                return f"different words: {ours} vs {theirs}"
    return "ties"


def blas_settings() -> dict[str, Callable[[], contextlib.AbstractContextManager]]:
    """BLAS thread settings to time under: the default, and one thread when threadpoolctl is
    installed (both sides always run under the same setting)."""
    settings: dict[str, Callable[[], contextlib.AbstractContextManager]] = {
        "default BLAS threads": contextlib.nullcontext
    }
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        logger.info("threadpoolctl is not installed: timing with the default BLAS threads only")
    else:
        settings["1 BLAS thread"] = lambda: threadpool_limits(limits=1, user_api="blas")
    return settings


def bench_neighbours(glove, kv, words: list[str], k: int, repeat: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from nlptransfer import Vectors

    kv.fill_norms()
    glove.unit_matrix()
    ours = glove.nearest(words, k=k)
    theirs = [kv.most_similar(w, topn=k) for w in words]
    verdicts = [same_top(o, t) for o, t in zip(ours, theirs, strict=True)]
    wrong = [v for v in verdicts if v not in ("same", "ties")]
    if wrong:
        raise AssertionError(f"{len(wrong)} queries disagree with gensim, e.g. {wrong[0]}")
    logger.info(
        "top-%d agree on all %d queries (%d by ties)", k, len(words), verdicts.count("ties")
    )
    settings = blas_settings()
    runs: dict[str, dict[str, list[tuple[float, float]]]] = {
        name: {"ours": [], "ours_cold": [], "gensim": []} for name in settings
    }
    for r in range(repeat):
        for name, limit in settings.items():
            with limit():
                wall, cpu, _ = timed(lambda: glove.nearest(words, k=k))
                runs[name]["ours"].append((wall, cpu))
                fresh = Vectors(glove.words, glove.matrix, meta=glove.meta)  # no unit matrix
                fresh._index = glove.key_to_index
                wall, cpu, _ = timed(lambda fresh=fresh: fresh.nearest(words, k=k))
                runs[name]["ours_cold"].append((wall, cpu))
                wall, cpu, _ = timed(lambda: [kv.most_similar(w, topn=k) for w in words])
                runs[name]["gensim"].append((wall, cpu))
            last = {key: round(v[-1][0], 3) for key, v in runs[name].items()}
            logger.info("run %d, %s: %s", r + 1, name, last)
    single = words[: max(1, len(words) // 10)]
    wall, _, _ = timed(lambda: [glove.nearest([w], k=k) for w in single])
    return {
        "queries": len(words),
        "k": k,
        "agree": verdicts.count("same"),
        "agree_up_to_ties": verdicts.count("ties"),
        "settings": {
            name: {
                "best_wall": {key: min(w for w, _ in v) for key, v in r.items()},
                "best_cpu": {key: min(c for _, c in v) for key, v in r.items()},
                "all_wall": {key: [round(w, 4) for w, _ in v] for key, v in r.items()},
            }
            for name, r in runs.items()
        },
        "ours_one_query_per_call_ms": 1000 * wall / len(single),
        "exact_results": ours,
    }


def bench_analogies(glove, kv, restrict_vocab: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from nlptransfer.intrinsic import analogies, benchmark_file

    path = benchmark_file("questions-words.txt")
    ours_wall, ours_cpu, ours = timed(lambda: analogies(glove, path, restrict_vocab=restrict_vocab))
    logger.info("ours: %.1f s; now gensim's evaluate_word_analogies (minutes)", ours_wall)
    wall, cpu, theirs = timed(
        lambda: kv.evaluate_word_analogies(str(path), restrict_vocab=restrict_vocab)
    )
    if ours.as_gensim() != theirs:
        raise AssertionError("analogy sections differ from gensim's")
    return {
        "restrict_vocab": restrict_vocab,
        "questions": ours.questions,
        "scored": ours.total.n_questions,
        "accuracy": ours.accuracy,
        "wall": {"ours": ours_wall, "gensim": wall},
        "cpu": {"ours": ours_cpu, "gensim": cpu},
    }


def bench_ann(glove, words: list[str], exact: list, k: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from nlptransfer.vectors.ann import ApproximateIndex

    build_wall, build_cpu, index = timed(
        lambda: ApproximateIndex.build(glove, m=16, ef_construction=100, progress=False)
    )
    logger.info("HNSW build: %.1f s", build_wall)
    single = words[: max(1, len(words) // 10)]
    index.nearest(single, k=k)  # warm-up: faiss starts its thread pool on the first search
    rows = []
    for ef in EF_SEARCH:
        index.ef_search = ef
        batch_wall, _, approx = timed(lambda: index.nearest(words, k=k))
        one_wall, _, _ = timed(lambda: [index.nearest([w], k=k) for w in single])
        recall = np.mean(
            [
                len({w for w, _ in a} & {w for w, _ in e}) / len(e)
                for a, e in zip(approx, exact, strict=True)
            ]
        )
        rows.append(
            {
                "ef_search": ef,
                "batch_s": batch_wall,
                "one_query_ms": 1000 * one_wall / len(single),
                "recall_at_k": float(recall),
            }
        )
        logger.info("ef_search %d: %s", ef, rows[-1])
    return {
        "m": 16,
        "ef_construction": 100,
        "build_s": build_wall,
        "build_cpu_s": build_cpu,
        "rows": rows,
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join(f"{p} {version(p)}" for p in ("numpy", "gensim", "faiss-cpu") if _has(p))
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {versions}"


def _has(package: str) -> bool:
    try:
        version(package)
    except Exception:
        return False
    return True


def markdown(results: dict[str, Any]) -> str:
    n = results["neighbours"]
    lines = [
        "| operation | BLAS | ours (s) | gensim (s) | ratio | goal | met? |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for name, setting in n["settings"].items():
        best = setting["best_wall"]
        ratio = best["gensim"] / best["ours"]
        lines += [
            f"| {n['queries']:,} neighbour queries, top {n['k']}, exact (batched `nearest` vs "
            f"`most_similar` per query) | {name} | {best['ours']:.3f} | {best['gensim']:.3f} | "
            f"{ratio:.1f}x | >= {NEIGHBOURS_GOAL:.0f}x | {'yes' if ratio >= NEIGHBOURS_GOAL else 'no'} |",
            f"| same, ours cold (the first call normalises the 400,000 rows) | {name} | "
            f"{best['ours_cold']:.3f} | {best['gensim']:.3f} | "
            f"{best['gensim'] / best['ours_cold']:.1f}x | for information | |",
        ]
    if "analogies" in results:
        a = results["analogies"]
        lines.append(
            f"| Google analogies, {a['questions']:,} questions, restrict_vocab="
            f"{a['restrict_vocab']:,} (`intrinsic.analogies` vs `evaluate_word_analogies`) | "
            f"default BLAS threads | {a['wall']['ours']:.1f} | {a['wall']['gensim']:.1f} | "
            f"{a['wall']['gensim'] / a['wall']['ours']:.1f}x | for information | |"
        )
    cpu = "; ".join(
        f"{name}: ours {s['best_cpu']['ours']:.2f}, gensim {s['best_cpu']['gensim']:.2f} "
        f"({s['best_cpu']['gensim'] / s['best_cpu']['ours']:.1f}x)"
        for name, s in n["settings"].items()
    )
    walls = "; ".join(f"{name}: {s['all_wall']}" for name, s in n["settings"].items())
    lines += [
        "",
        f"Agreement checked before timing: top {n['k']} identical for {n['agree']} of "
        f"{n['queries']} queries, the other {n['agree_up_to_ties']} differ only in the order of "
        f"words with equal scores (within {SCORE_TOLERANCE:g}). CPU seconds, all threads (best "
        f"run) - {cpu}. Ours, one query per call: {n['ours_one_query_per_call_ms']:.1f} ms per "
        f"query. Wall seconds of every run - {walls}.",
    ]
    if "analogies" in results:
        a = results["analogies"]
        lines.append(
            f"Analogies: identical sections question by question; accuracy {a['accuracy']:.4f} "
            f"({a['scored']:,} questions in vocabulary)."
        )
    if "ann" in results:
        h = results["ann"]
        exact = n["settings"]["default BLAS threads"]["best_wall"]["ours"]
        lines += [
            "",
            f"HNSW index (faiss, m={h['m']}, ef_construction={h['ef_construction']}): built in "
            f"{h['build_s']:.1f} s ({h['build_cpu_s']:.1f} CPU s). Recall@{n['k']} against the "
            "exact results above:",
            "",
            f"| ef_search | {n['queries']:,} queries as one batch (s) | one query per call (ms) "
            f"| recall@{n['k']} |",
            "|---:|---:|---:|---:|",
        ]
        for row in h["rows"]:
            lines.append(
                f"| {row['ef_search']} | {row['batch_s']:.3f} | {row['one_query_ms']:.2f} | "
                f"{row['recall_at_k']:.4f} |"
            )
        lines.append(
            f"| exact (`nearest`) | {exact:.3f} | {n['ours_one_query_per_call_ms']:.2f} | 1.0000 |"
        )
    lines += [
        "",
        f"Best of {results['repeat']} interleaved runs (neighbours), measured {results['when']} on "
        f"{results['machine']}. Command: `{results['command']}`.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--analogy-restrict", type=int, default=300_000)
    parser.add_argument("--skip-analogies", action="store_true")
    parser.add_argument("--skip-ann", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "lookup.md")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    os.environ.setdefault("NLPTRANSFER_QUIET", "1")

    from nlptransfer import load_vectors

    glove = load_vectors(NAME, mmap=False)
    kv = glove.to_gensim()
    rng = np.random.default_rng(args.seed)
    words = [glove.words[i] for i in rng.choice(len(glove), args.queries, replace=False)]
    results: dict[str, Any] = {
        "vectors": NAME,
        "repeat": args.repeat,
        "seed": args.seed,
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "command": shlex.join([".venv/bin/python", "benchmarks/bench_lookup.py", *sys.argv[1:]]),
    }
    neighbours = bench_neighbours(glove, kv, words, args.k, args.repeat)
    exact = neighbours.pop("exact_results")
    results["neighbours"] = neighbours
    if not args.skip_analogies:
        results["analogies"] = bench_analogies(glove, kv, args.analogy_restrict)
    if not args.skip_ann:
        results["ann"] = bench_ann(glove, words, exact, args.k)
    text = markdown(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
