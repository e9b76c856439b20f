"""Vectors-loading benchmark: nlptransfer's loaders against gensim, on the full GloVe 6B 50d.

What it measures, in one run (see ``benchmarks/README.md`` for the goals and the last results):

1. Speed, best of ``--repeat`` runs in this process, the operations interleaved so that a slow
   spell of a shared machine falls on all of them alike:

   - GloVe text (400,000 lines, no header): ``load_vectors(txt, format="glove")`` against
     gensim's ``KeyedVectors.load_word2vec_format(txt, no_header=True)``;
   - word2vec binary: ``load_vectors(bin, format="word2vec-bin")`` against
     ``load_word2vec_format(bin, binary=True)``;
   - reopening the native store (``load_vectors(path.ntv)``, memory-mapped) against both.

   Before any timing, the results are checked: the same words in the same order and
   bit-identical float32 matrices, ours against gensim's and the native store against both, so
   the benchmark cannot report the speed of a wrong result.

2. Peak memory, each load in a fresh interpreter: ``ru_maxrss`` after the load, and the same
   minus ``ru_maxrss`` after the imports (the memory the load itself needs), for a full load and
   a ``vocab=``-filtered load (10,000 words) of the text and the binary file, gensim's full text
   load, and the native store.

The input files are written once from ``load_vectors("glove-6b-50d")`` into ``--workdir``
(git-ignored) and reused by later runs. Results go to ``--out`` (Markdown) and the same path with
``.json``; the Markdown tables are printed at the end.

Usage:
    .venv/bin/python benchmarks/bench_load.py [--repeat 3] [--workdir benchmarks/.work]
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger("bench_load")

ROOT = Path(__file__).resolve().parent.parent
NAME = "glove-6b-50d"
STEM = "glove.6B.50d"
VOCAB_SIZE = 10_000
#: A real dataset's words for the ``vocab=`` load (the SST-2 training sentences), if present.
DATASET_WORDS = ROOT.parent / "shared" / "data" / "kim2014" / "stsa.binary.train"

#: Goals from the issue: speed-up over gensim (at least), and filtered/full memory (under).
GOAL_TEXT = 20.0
GOAL_BINARY = 3.0
GOAL_NATIVE = 200.0
GOAL_MEMORY_FRACTION = 1 / 5


# -- input files ------------------------------------------------------------------------------
def prepare_inputs(workdir: Path) -> dict[str, Path]:
    """Write GloVe 6B 50d as GloVe text, word2vec binary and a native store (once)."""
    paths = {
        "text": workdir / f"{STEM}.txt",
        "binary": workdir / f"{STEM}.bin",
        "native": workdir / f"{STEM}.ntv",
    }
    if all(path.exists() for path in paths.values()):
        logger.info("reusing the input files in %s", workdir)
        return paths
    from nlptransfer import load_vectors
    from nlptransfer.vectors.convert import write_vectors

    workdir.mkdir(parents=True, exist_ok=True)
    vectors = load_vectors(NAME)
    logger.info("writing %r to %s", vectors, workdir)
    # Every writer is atomic, so a file that exists is complete.
    if not paths["text"].exists():
        write_vectors(vectors, paths["text"], "glove")
    if not paths["binary"].exists():
        write_vectors(vectors, paths["binary"], "word2vec-bin")
    if not paths["native"].exists():
        write_vectors(vectors, workdir / STEM, "native")
    return paths


def filter_vocabulary(workdir: Path) -> tuple[list[str], str]:
    """10,000 words for the ``vocab=`` loads: a real dataset's most frequent tokens if present,
    else every 40th GloVe word. Returns the words and where they come from."""
    if DATASET_WORDS.is_file():
        counts: Counter[str] = Counter()
        with open(DATASET_WORDS, encoding="utf-8", errors="replace") as f:
            for line in f:
                counts.update(line.split()[1:])  # the first field is the label
        words = [word for word, _ in counts.most_common(VOCAB_SIZE)]
        return words, f"the {len(words)} most frequent tokens of {DATASET_WORDS.name}"
    from nlptransfer import Vectors

    words = Vectors.load(workdir / f"{STEM}.ntv").words[::40][:VOCAB_SIZE]
    return words, f"every 40th GloVe word ({len(words)})"


# -- speed ------------------------------------------------------------------------------------
def bit_identical(a: np.ndarray, b: np.ndarray) -> bool:
    """Same shape, dtype float32, and the same bits (so -0.0 != 0.0 and NaN == NaN)."""
    a, b = np.asarray(a), np.asarray(b)
    return (
        a.shape == b.shape
        and a.dtype == b.dtype == np.float32
        and np.array_equal(a.view(np.uint32), b.view(np.uint32))
    )


def check_results(paths: dict[str, Path], vocab: list[str]) -> dict[str, Any]:
    """Assert that every loader gives the same words and bit-identical rows; describe the
    inputs."""
    from gensim.models import KeyedVectors

    from nlptransfer import load_vectors

    logger.info("checking that the loaders agree (words, bit-identical matrices)")
    gensim_text = KeyedVectors.load_word2vec_format(paths["text"], no_header=True)
    ours_text = load_vectors(paths["text"], format="glove", progress=False)
    assert ours_text.words == list(gensim_text.index_to_key), "text: different words"
    assert bit_identical(ours_text.matrix, gensim_text.vectors), "text: different rows"
    count, dim = gensim_text.vectors.shape
    del gensim_text

    gensim_bin = KeyedVectors.load_word2vec_format(paths["binary"], binary=True)
    ours_bin = load_vectors(paths["binary"], format="word2vec-bin", progress=False)
    assert ours_bin.words == list(gensim_bin.index_to_key), "binary: different words"
    assert bit_identical(ours_bin.matrix, gensim_bin.vectors), "binary: different rows"
    del gensim_bin

    native = load_vectors(paths["native"])
    assert native.words == ours_text.words == ours_bin.words, "native: different words"
    assert bit_identical(native.matrix, ours_text.matrix), "native: different rows"
    assert bit_identical(native.matrix, ours_bin.matrix), "native: different rows"
    logger.info("all loaders agree: %d words of dimension %d", count, dim)
    found = len(set(vocab) & set(ours_text.words))
    return {"words": int(count), "dim": int(dim), "vocab_found": found}


def time_loads(
    paths: dict[str, Path], repeat: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall-clock and CPU seconds (all threads) per run of each load, the loads interleaved,
    ``repeat`` rounds."""
    from gensim.models import KeyedVectors

    from nlptransfer import load_vectors

    loads: dict[str, Callable[[], object]] = {
        "gensim_text": lambda: KeyedVectors.load_word2vec_format(paths["text"], no_header=True),
        "ours_text": lambda: load_vectors(paths["text"], format="glove", progress=False),
        "gensim_binary": lambda: KeyedVectors.load_word2vec_format(paths["binary"], binary=True),
        "ours_binary": lambda: load_vectors(paths["binary"], format="word2vec-bin", progress=False),
        "ours_native": lambda: load_vectors(paths["native"]),
    }
    seconds: dict[str, list[float]] = {name: [] for name in loads}
    cpu: dict[str, list[float]] = {name: [] for name in loads}
    for round_ in range(1, repeat + 1):
        for name, load in loads.items():
            gc.collect()
            started, cpu_started = time.perf_counter(), time.process_time()
            result = load()
            seconds[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - cpu_started)
            del result
            logger.info(
                "round %d/%d  %-14s %8.3f s  (CPU %.3f s)",
                round_,
                repeat,
                name,
                seconds[name][-1],
                cpu[name][-1],
            )
    return seconds, cpu


# -- memory -----------------------------------------------------------------------------------
_MEMORY_PROBE = textwrap.dedent(
    """
    import json, resource, sys
    {imports}

    def hwm():  # the kernel's high-water mark of this process's own memory (not inherited)
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))

    args = json.loads(sys.argv[1])
    vocab = json.load(open(args["vocab"], encoding="utf-8")) if args.get("vocab") else None
    baseline, baseline_hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, hwm()
    result = {load}
    peak, peak_hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, hwm()
    print(json.dumps({{"baseline_kib": baseline, "peak_kib": peak, "baseline_hwm_kib": baseline_hwm,
                      "peak_hwm_kib": peak_hwm, "rows": {rows}}}))
    """
)

_OURS = "from nlptransfer import load_vectors"
_GENSIM = "from gensim.models import KeyedVectors"

#: name -> (imports, load expression, rows expression, uses the vocabulary)
MEMORY_CASES: dict[str, tuple[str, str, str, bool]] = {
    "ours_text_full": (
        _OURS,
        'load_vectors(args["path"], format="glove", progress=False)',
        "len(result)",
        False,
    ),
    "ours_text_vocab": (
        _OURS,
        'load_vectors(args["path"], format="glove", vocab=vocab, progress=False)',
        "len(result)",
        True,
    ),
    "ours_binary_full": (
        _OURS,
        'load_vectors(args["path"], format="word2vec-bin", progress=False)',
        "len(result)",
        False,
    ),
    "ours_binary_vocab": (
        _OURS,
        'load_vectors(args["path"], format="word2vec-bin", vocab=vocab, progress=False)',
        "len(result)",
        True,
    ),
    "gensim_text_full": (
        _GENSIM,
        'KeyedVectors.load_word2vec_format(args["path"], no_header=True)',
        "len(result.index_to_key)",
        False,
    ),
    "ours_native": (_OURS, 'load_vectors(args["path"])', "len(result)", False),
}
_MEMORY_INPUT = {
    "ours_text_full": "text",
    "ours_text_vocab": "text",
    "ours_binary_full": "binary",
    "ours_binary_vocab": "binary",
    "gensim_text_full": "text",
    "ours_native": "native",
}


def measure_memory(paths: dict[str, Path], vocab_file: Path) -> dict[str, dict[str, float]]:
    """Peak RSS of each load in a fresh interpreter, in MiB: absolute and above the imports."""
    results: dict[str, dict[str, float]] = {}
    env = dict(os.environ, NLPTRANSFER_QUIET="1")
    # A child starts with its parent's ru_maxrss, so this process must still be small here.
    own_peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for name, (imports, load, rows, uses_vocab) in MEMORY_CASES.items():
        code = _MEMORY_PROBE.format(imports=imports, load=load, rows=rows)
        args = {"path": str(paths[_MEMORY_INPUT[name]])}
        if uses_vocab:
            args["vocab"] = str(vocab_file)
        logger.info("peak memory: %s", name)
        done = subprocess.run(
            [sys.executable, "-c", code, json.dumps(args)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env=env,
        )
        probe = json.loads(done.stdout.strip().splitlines()[-1])
        results[name] = {
            "peak_mib": probe["peak_kib"] / 1024,
            "baseline_mib": probe["baseline_kib"] / 1024,
            "delta_mib": (probe["peak_kib"] - probe["baseline_kib"]) / 1024,
            # Cross-check: VmHWM is the same high-water mark, but never inherited from this
            # (the launching) process, as ru_maxrss is across fork and exec on Linux.
            "peak_hwm_mib": probe["peak_hwm_kib"] / 1024,
            "delta_hwm_mib": (probe["peak_hwm_kib"] - probe["baseline_hwm_kib"]) / 1024,
            "rows": probe["rows"],
        }
        if probe["baseline_kib"] <= own_peak_kib:
            logger.warning(
                "%s: the baseline may be this process's inherited ru_maxrss (%d KiB)",
                name,
                own_peak_kib,
            )
        logger.info(
            "  %-18s peak %7.1f MiB, above imports %7.1f MiB, %d rows",
            name,
            results[name]["peak_mib"],
            results[name]["delta_mib"],
            probe["rows"],
        )
    return results


# -- report -----------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    try:
        memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        memory_gib = float("nan")
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_gib, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": version("numpy"),
        "pyarrow": version("pyarrow"),
        "gensim": version("gensim"),
        "nlptransfer": version("nlptransfer"),
    }


def speed_rows(best: dict[str, float]) -> list[dict[str, Any]]:
    """The speed table: one row per comparison."""

    def row(operation: str, ours: str, theirs: str, goal: float | None) -> dict[str, Any]:
        ratio = best[theirs] / best[ours]
        return {
            "operation": operation,
            "ours_s": best[ours],
            "gensim_s": best[theirs],
            "ratio": ratio,
            "goal": None if goal is None else f">= {goal:g}x",
            "met": None if goal is None else ratio >= goal,
        }

    return [
        row("GloVe text, full load (gensim: text)", "ours_text", "gensim_text", GOAL_TEXT),
        row(
            "word2vec binary, full load (gensim: binary)",
            "ours_binary",
            "gensim_binary",
            GOAL_BINARY,
        ),
        row("native store reopen (gensim: text)", "ours_native", "gensim_text", GOAL_NATIVE),
        row("native store reopen (gensim: binary)", "ours_native", "gensim_binary", None),
    ]


def memory_rows(memory: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    """The memory table: the ``vocab=`` loads are held to a fifth of the full load's delta."""
    labels = {
        "ours_text_full": "ours, GloVe text, full",
        "ours_text_vocab": f"ours, GloVe text, vocab= {VOCAB_SIZE:,} words",
        "ours_binary_full": "ours, word2vec binary, full",
        "ours_binary_vocab": f"ours, word2vec binary, vocab= {VOCAB_SIZE:,} words",
        "gensim_text_full": "gensim, GloVe text, full",
        "ours_native": "ours, native store reopen (memory-mapped)",
    }
    rows = []
    for name, label in labels.items():
        entry = dict(memory[name], load=label, goal=None, met=None)
        full = name.replace("_vocab", "_full")
        if name.endswith("_vocab"):
            fraction = memory[name]["delta_mib"] / memory[full]["delta_mib"]
            entry.update(
                fraction_of_full=fraction,
                goal=f"< {GOAL_MEMORY_FRACTION:.2f} of full",
                met=fraction < GOAL_MEMORY_FRACTION,
            )
        rows.append(entry)
    return rows


def _mark(met: bool | None) -> str:
    return "" if met is None else ("yes" if met else "**no**")


def markdown(report: dict[str, Any]) -> str:
    """The results as Markdown tables."""
    lines = [
        "| operation | ours (s) | gensim (s) | ratio | goal | met? |",
        "|---|---:|---:|---:|---|---|",
    ]
    for row in report["speed"]:
        lines.append(
            f"| {row['operation']} | {row['ours_s']:.3f} | {row['gensim_s']:.3f} | "
            f"{row['ratio']:.1f}x | {row['goal'] or 'for information'} | {_mark(row['met'])} |"
        )
    if report["memory"]:
        lines += [
            "",
            "| load (fresh process) | peak RSS (MiB) | above imports (MiB) | rows | of full "
            "| goal | met? |",
            "|---|---:|---:|---:|---:|---|---|",
        ]
    for row in report["memory"]:
        fraction = row.get("fraction_of_full")
        lines.append(
            f"| {row['load']} | {row['peak_mib']:.1f} | {row['delta_mib']:.1f} | "
            f"{row['rows']:,} | {'' if fraction is None else f'{fraction:.3f}'} | "
            f"{row['goal'] or ''} | {_mark(row['met'])} |"
        )
    info = report["machine"]
    inputs = report["inputs"]
    cpu = report["best_cpu_seconds"]
    lines += [
        "",
        "CPU seconds, all threads (best of the runs): "
        + ", ".join(f"{name} {seconds:.3f}" for name, seconds in cpu.items())
        + f"; text ratio in CPU time {cpu['gensim_text'] / cpu['ours_text']:.1f}x, binary "
        f"{cpu['gensim_binary'] / cpu['ours_binary']:.1f}x.",
        "",
        f"Best of {report['repeat']} runs each (speed), measured {report['date']} on "
        f"{info['cores']} cores ({info['cpu']}), {info['memory_gib']} GiB RAM, "
        f"Python {info['python']}, numpy {info['numpy']}, pyarrow {info['pyarrow']}, "
        f"gensim {info['gensim']}. Inputs: {inputs['words']:,} words x {inputs['dim']}, "
        f"GloVe text {inputs['text_mib']:.1f} MiB, word2vec binary {inputs['binary_mib']:.1f} MiB; "
        f"vocab= words: {report['vocab_source']} ({report['vocab_found']:,} found in GloVe).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each load (best)")
    parser.add_argument(
        "--workdir", type=Path, default=ROOT / "benchmarks" / ".work", help="input files"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "benchmarks" / "results" / "load.md",
        help="Markdown results; the JSON goes next to it (.json)",
    )
    parser.add_argument("--skip-memory", action="store_true", help="speed only")
    parser.add_argument("--prepare-only", action="store_true", help="write the inputs and stop")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 if a goal is not met"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    if args.prepare_only:
        prepare_inputs(args.workdir)
        return 0
    # Written by a child process, so that this one stays small for the memory probes (below).
    subprocess.run(
        [sys.executable, __file__, "--prepare-only", "--workdir", str(args.workdir)], check=True
    )
    paths = prepare_inputs(args.workdir)
    vocab, vocab_source = filter_vocabulary(args.workdir)
    vocab_file = args.workdir / "vocab-10k.json"
    vocab_file.write_text(json.dumps(vocab), encoding="utf-8")

    # Memory first, while this process has loaded nothing (see measure_memory), then speed.
    memory = {} if args.skip_memory else measure_memory(paths, vocab_file)
    inputs = check_results(paths, vocab)
    inputs.update(
        text_mib=paths["text"].stat().st_size / 2**20,
        binary_mib=paths["binary"].stat().st_size / 2**20,
    )
    seconds, cpu_seconds = time_loads(paths, args.repeat)
    best = {name: min(runs) for name, runs in seconds.items()}
    best_cpu = {name: min(runs) for name, runs in cpu_seconds.items()}

    report: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "repeat": args.repeat,
        "machine": machine(),
        "inputs": inputs,
        "vocab_source": vocab_source,
        "vocab_found": inputs["vocab_found"],
        "seconds": seconds,
        "best_seconds": best,
        "cpu_seconds": cpu_seconds,
        "best_cpu_seconds": best_cpu,
        "speed": speed_rows(best),
        "memory": memory_rows(memory) if memory else [],
        "memory_raw": memory,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table = markdown(report)
    args.out.write_text(table, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    logger.info("wrote %s and %s", args.out, args.out.with_suffix(".json"))
    print(table)
    missed = [r for r in report["speed"] + report["memory"] if r.get("met") is False]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
