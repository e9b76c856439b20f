"""Native store at scale against gensim's ``KeyedVectors.save``/``load(mmap="r")``, one run.

What it measures (issue 22; see ``docs/vectors.md`` for the store's layout):

1. ``save``: ``Vectors.save(path)`` against ``KeyedVectors.save(path)`` on the same vectors,
   each to a path cleared beforehand (untimed), ``--repeat`` times interleaved (a busy spell
   of a shared machine falls on both alike); wall and CPU time of every run. (Saving over an
   existing store needs room for both versions until the new one is published; where memory
   is short the kernel reclaims page cache for it, charged to the saving process. gensim
   truncates its files in place, which is what makes its replacement unsafe for readers.)
   With ``--source FILE`` the vectors are read from that file, so our save also computes the
   source's SHA-256 (in a thread, while the arrays are written), as it does for a user.
2. Reopen + first query, each in a fresh process with the files in the page cache (warm):
   ``Vectors.load(path)`` + ``most_similar`` against ``KeyedVectors.load(path, mmap="r")`` +
   ``most_similar``.
3. ``--processes`` processes each opening one store and running ``--queries`` ``most_similar``
   queries, alive together: the sum of their private memory (``Private_Clean + Private_Dirty``
   from ``/proc/PID/smaps_rollup``), their peak resident memory (``VmHWM``), ours against
   gensim's.

The vectors are synthetic (``--rows`` x ``--dim`` standard normal float32, words ``w0..``)
unless ``--source`` names a vectors file. Files go to ``--workdir`` and are deleted at the end
(``--keep`` keeps them). Results are printed as JSON and written to ``--out`` if given.

Usage:
    .venv/bin/python benchmarks/bench_store_sharing.py --rows 1000000 --dim 300
    .venv/bin/python benchmarks/bench_store_sharing.py --source glove.6B.50d.txt
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger("bench_store_sharing")

QUERY_SEED = 0


# -- the vectors ------------------------------------------------------------------------------
def make_vectors(rows: int, dim: int, source: Path | None) -> Any:
    """The vectors to save: read from ``source``, or synthetic."""
    from nlptransfer import Vectors, load_vectors

    if source is not None:
        return load_vectors(source)
    rng = np.random.default_rng(0)
    matrix = np.empty((rows, dim), dtype=np.float32)
    for start in range(0, rows, 100_000):
        stop = min(rows, start + 100_000)
        matrix[start:stop] = rng.standard_normal((stop - start, dim), dtype=np.float32)
    return Vectors([f"w{i}" for i in range(rows)], matrix, meta={"source": "synthetic"})


def gensim_vectors(vectors: Any) -> Any:
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vectors.dim, count=0, dtype=np.float32)
    kv.index_to_key = list(vectors.words)
    kv.key_to_index = {word: row for row, word in enumerate(vectors.words)}
    kv.vectors = np.asarray(vectors.matrix)
    kv.allocate_vecattrs()
    return kv


def timed_rounds(
    repeat: int, steps: dict[str, Callable[[], Any]], before: Callable[[], Any] = lambda: None
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall times and CPU times (this process, all threads) of each step over ``repeat``
    interleaved rounds, ``before`` run untimed ahead of each. On a busy machine the CPU time
    is the steadier of the two."""
    wall: dict[str, list[float]] = {name: [] for name in steps}
    cpu: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeat):
        for name, step in steps.items():
            before()
            started, started_cpu = time.perf_counter(), time.process_time()
            step()
            wall[name].append(round(time.perf_counter() - started, 3))
            cpu[name].append(round(time.process_time() - started_cpu, 3))
    return wall, cpu


# -- child processes --------------------------------------------------------------------------
def child(lib: str, path: str, queries: int, wait: bool) -> None:
    """Open the store, run the queries, print timings; with ``wait``, stay alive until stdin
    closes (so the parent can read this process's memory)."""
    if lib == "ours":
        from nlptransfer import Vectors

        started = time.perf_counter()  # after the imports
        vectors = Vectors.load(path)
        words = vectors.words

        def query(word: str) -> Any:
            return vectors.most_similar(word, k=10)
    else:
        from gensim.models import KeyedVectors

        started = time.perf_counter()
        kv = KeyedVectors.load(path, mmap="r")
        words = kv.index_to_key

        def query(word: str) -> Any:
            return kv.most_similar(word, topn=10)

    opened = time.perf_counter()
    rng = np.random.default_rng(QUERY_SEED)
    picks = [words[int(i)] for i in rng.integers(0, min(len(words), 100_000), max(1, queries))]
    first = query(picks[0])
    first_done = time.perf_counter()
    for word in picks[1:]:
        query(word)
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "open_s": round(opened - started, 4),
                "first_query_s": round(first_done - opened, 4),
                "queries_s": round(done - first_done, 4),
                "first_hits": [w for w, _ in first[:3]],
            }
        ),
        flush=True,
    )
    if wait:
        sys.stdin.read()


def _spawn(lib: str, path: Path, queries: int, wait: bool) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, __file__, "child", lib, str(path), str(queries), "1" if wait else "0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def process_memory(pid: int) -> dict[str, int]:
    """Private and resident memory of a live process, in bytes."""
    fields: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[0].endswith(":"):
                fields[parts[0][:-1]] = int(parts[1]) * 1024
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                fields["VmHWM"] = int(line.split()[1]) * 1024
    return {
        "private": fields["Private_Clean"] + fields["Private_Dirty"],
        "rss": fields["Rss"],
        "peak_rss": fields["VmHWM"],
    }


def first_query(lib: str, path: Path) -> dict[str, Any]:
    """Reopen + first query in a fresh process."""
    process = _spawn(lib, path, 1, wait=False)
    out, _ = process.communicate(timeout=1800)
    return json.loads(out)


def sharing(lib: str, path: Path, processes: int, queries: int) -> dict[str, Any]:
    """``processes`` processes querying one store, alive together: their memory."""
    started = [_spawn(lib, path, queries, wait=True) for _ in range(processes)]
    timings = [json.loads(p.stdout.readline()) for p in started]  # type: ignore[union-attr]
    memory = [process_memory(p.pid) for p in started]
    for p in started:
        p.communicate("", timeout=60)
    return {
        "private_bytes_total": sum(m["private"] for m in memory),
        "peak_rss_bytes_max": max(m["peak_rss"] for m in memory),
        "rss_bytes_total": sum(m["rss"] for m in memory),
        "queries_s_max": max(t["queries_s"] for t in timings),
    }


# -- the run ----------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> dict[str, Any]:
    from nlptransfer import Vectors

    workdir = Path(tempfile.mkdtemp(prefix="store-sharing-", dir=args.workdir))
    ours_path, gensim_path = workdir / "ours.ntv", workdir / "gensim.kv"
    try:
        vectors = make_vectors(args.rows, args.dim, args.source)
        kv = gensim_vectors(vectors)
        logger.info("%r; saving", vectors)

        def save_ours() -> None:
            vectors.meta.pop("source_sha256", None)  # hashed again each time, as a fresh load
            vectors.save(ours_path)

        def save_gensim() -> None:
            kv.save(str(gensim_path))

        def remove_saved() -> None:  # each save writes new files, as a first save does
            shutil.rmtree(ours_path, ignore_errors=True)
            for file in workdir.glob("gensim.kv*"):
                file.unlink()

        save_runs, save_cpu = timed_rounds(
            args.repeat, {"ours": save_ours, "gensim": save_gensim}, before=remove_saved
        )
        save = {lib: min(runs) for lib, runs in save_runs.items()}
        median = {lib: float(np.median(runs)) for lib, runs in save_runs.items()}
        save_ours()  # the stores the next steps open (the last round removed ours)
        assert Vectors.load(ours_path).words[:5] == vectors.words[:5]
        logger.info("save: wall %s, cpu %s", save_runs, save_cpu)
        if args.save_only:
            return {"save_s_all_runs": save_runs, "save_cpu_s_all_runs": save_cpu, "save_s": save}
        firsts = {lib: [] for lib in ("ours", "gensim")}
        for _ in range(args.repeat):  # interleaved, warm page cache
            for lib, path in (("ours", ours_path), ("gensim", gensim_path)):
                firsts[lib].append(first_query(lib, path))
        reopen = {
            lib: min(runs, key=lambda r: r["open_s"] + r["first_query_s"])
            for lib, runs in firsts.items()
        }
        logger.info("reopen + first query: %s", reopen)
        shared = {
            "ours": sharing("ours", ours_path, args.processes, args.queries),
            "gensim": sharing("gensim", gensim_path, args.processes, args.queries),
        }
        logger.info("sharing: %s", shared)
        disk = {
            "ours": sum(f.stat().st_size for f in ours_path.rglob("*") if f.is_file()),
            "gensim": sum(f.stat().st_size for f in workdir.glob("gensim.kv*")),
        }
        return {
            "vectors": {"rows": len(vectors), "dim": vectors.dim, "source": str(args.source)},
            "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
            "save_s": save,
            "save_s_all_runs": save_runs,
            "save_cpu_s_all_runs": save_cpu,
            "save_speedup": round(save["gensim"] / save["ours"], 2),
            "save_speedup_median": round(median["gensim"] / median["ours"], 2),
            "reopen_first_query": reopen,
            "sharing": {"processes": args.processes, "queries": args.queries, **shared},
            "private_ratio": round(
                shared["ours"]["private_bytes_total"] / shared["gensim"]["private_bytes_total"], 3
            ),
            "disk_bytes": disk,
        }
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] == "1")
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--source", type=Path, help="read the vectors from this file instead")
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--keep", action="store_true", help="keep the stores")
    parser.add_argument("--save-only", action="store_true", help="measure the saves only")
    parser.add_argument("--out", type=Path, help="write the JSON results here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    results = run(args)
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
