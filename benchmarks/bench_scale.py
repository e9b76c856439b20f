"""Scale benchmark: nlptransfer against gensim at the sizes people load (issue 22).

Generates a GoogleNews-shaped word2vec binary file (default 3,000,000 x 300) and a GloVe
840B-shaped text file (default 2,200,000 x 300) with real words (``scale_inputs.py``), then
measures, against gensim in the same run, each operation in a fresh subprocess:

1. **Loads**, full and ``vocab=`` (20,000 words: 19,000 of the file's and 1,000 absent): wall
   and CPU time, and peak memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss`` after the load,
   absolute and above the same reading after the imports; ``VmHWM`` cross-checks it). gensim has
   no ``vocab=`` filter: its full load is the reference for both.
2. **Save**: ``Vectors.save`` (the native store) against ``KeyedVectors.save``, after a load.
3. **Reopen + first query**, warm (files in the page cache) and cold (every file of the store
   dropped from the page cache first with ``posix_fadvise(POSIX_FADV_DONTNEED)``):
   ``Vectors.load`` + ``most_similar`` against ``KeyedVectors.load(mmap="r")`` +
   ``most_similar``.
4. **1,000 queries** (words drawn at random, seeded; top 10): one ``Vectors.nearest`` call
   against gensim's ``most_similar`` once per word, both warm (the normalisation done first,
   and timed apart); faiss's exact ``IndexFlatIP`` on the unit matrix, where installed, as the
   limit.
5. **N processes sharing one store**: N processes each open the store (memory-mapped) and run
   100 queries; while all N are alive, the sum of their private memory (``Private_Clean +
   Private_Dirty`` of ``/proc/PID/smaps_rollup``) against N gensim processes doing the same.

Before timing, the results are checked: our loads of both files against gensim's (same words,
bit-identical matrices) and the ``vocab=`` loads against the full ones. The store is called only
through the public API (``Vectors.save``, ``Vectors.load``, ``most_similar``, ``nearest``).

Results go to ``--out`` (``.json`` and ``.md``). Usage:

    .venv/bin/python benchmarks/bench_scale.py [--rows 3000000] [--text-rows 2200000]
        [--dim 300] [--processes 4] [--out benchmarks/results/scale] [--quick]
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import platform
import random
import resource
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))  # scale_inputs, when run as a script

logger = logging.getLogger("bench_scale")

VOCAB_FOUND = 19_000
#: Seconds idle before a cold-memory load: long enough for this VM's host to take freed memory back.
COLD_IDLE_S = 30.0
VOCAB_ABSENT = 1_000
QUERIES = 1_000
SHARED_QUERIES = 100
SEED = 22

#: Goals from issue 22 (at 3M x 300 binary and 2.2M x 300 text).
GOALS = {
    "binary_load_speedup": 3.0,  # ours at least 3x faster than gensim
    "binary_peak_fraction": 1.15,  # peak memory above imports at most 1.15x the matrix
    "save_speedup": 1.0,  # at least as fast as gensim
    "vocab_text_fraction": 0.5,  # a vocab= text load in at most half a full load's time
}


# -- workers (each runs in a fresh interpreter) ---------------------------------------------------
def _memory() -> dict[str, float]:
    """This process's peak memory so far, MiB: ru_maxrss and the kernel's VmHWM."""
    hwm = 0.0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    return {"maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "hwm_mib": hwm}


def _drop_from_page_cache(paths: list[Path]) -> None:
    for path in paths:
        files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
        for file in files:
            fd = os.open(file, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def _gensim_store_files(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + "*"))


def _timed(fn):
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def worker(task: str, a: dict[str, Any]) -> dict[str, Any]:
    """One measurement; returns what it measured (JSON-able)."""
    import numpy as np

    out: dict[str, Any] = {"task": task}
    if task == "generate":
        from scale_inputs import (
            base_words,
            phrase_vocabulary,
            write_glove840b_text,
            write_googlenews_binary,
        )

        start = time.perf_counter()
        base = base_words()
        words = phrase_vocabulary(base, max(a["rows"], a["text_rows"]), seed=SEED)
        out["words_s"] = time.perf_counter() - start
        t = time.perf_counter()
        write_googlenews_binary(Path(a["binary"]), words[: a["rows"]], dim=a["dim"], seed=SEED)
        out["binary_s"] = time.perf_counter() - t
        t = time.perf_counter()
        text_words = phrase_vocabulary(base, a["text_rows"], seed=SEED + 1, phrases=False)
        write_glove840b_text(Path(a["text"]), text_words, dim=a["dim"], seed=SEED)
        out["text_s"] = time.perf_counter() - t
        out["total_s"] = time.perf_counter() - start
        rng = random.Random(SEED)
        for key, source in (("binary", words[: a["rows"]]), ("text", text_words)):
            found = rng.sample(source, min(VOCAB_FOUND, len(source) // 20))
            absent = [f"zzabsent{i}" for i in range(VOCAB_ABSENT)]
            Path(a[f"{key}_vocab"]).write_text("\n".join(found + absent), encoding="utf-8")
            queries = rng.sample(source, min(a["queries"], len(source)))
            Path(a[f"{key}_queries"]).write_text("\n".join(queries), encoding="utf-8")
        return out

    def words_of(name: str) -> list[str]:
        return Path(a[name]).read_text(encoding="utf-8").split("\n")

    if task in ("load", "save"):
        vocab = words_of("vocab_file") if a.get("vocab_file") else None
        if a["lib"] == "gensim":
            from gensim.models import KeyedVectors

            binary = a["format"] == "word2vec-bin"
            base = _memory()

            def load():
                return KeyedVectors.load_word2vec_format(
                    a["path"], binary=binary, no_header=not binary
                )

        else:
            from nlptransfer import load_vectors

            base = _memory()

            def load():
                return load_vectors(a["path"], format=a["format"], vocab=vocab, progress=False)

        loaded, out["wall_s"], out["cpu_s"] = _timed(load)
        peak = _memory()
        matrix = loaded.vectors if a["lib"] == "gensim" else loaded.matrix
        out.update(
            rows=int(matrix.shape[0]),
            matrix_mib=matrix.nbytes / 2**20,
            peak_mib=peak["maxrss_mib"],
            above_imports_mib=peak["maxrss_mib"] - base["maxrss_mib"],
            hwm_above_imports_mib=peak["hwm_mib"] - base["hwm_mib"],
        )
        if task == "save":
            target = Path(a["target"])
            if a["lib"] == "gensim":
                _, out["save_s"], _ = _timed(lambda: loaded.save(str(target)))
                files = _gensim_store_files(target)
            else:
                saved, out["save_s"], _ = _timed(lambda: loaded.save(target))
                files = [p for p in Path(saved).rglob("*") if p.is_file()]
            out["store_mib"] = sum(p.stat().st_size for p in files) / 2**20
        return out

    if task == "check":  # ours against gensim, and vocab= against the full load
        from gensim.models import KeyedVectors

        from nlptransfer import load_vectors

        binary = a["format"] == "word2vec-bin"
        ours = load_vectors(a["path"], format=a["format"], progress=False)
        out["same_words"] = out["bit_identical"] = None  # not checked (gensim's load skipped)
        if a.get("gensim", True):
            kv = KeyedVectors.load_word2vec_format(a["path"], binary=binary, no_header=not binary)
            out["same_words"] = ours.words == list(kv.index_to_key)
            out["bit_identical"] = bool(
                ours.matrix.shape == kv.vectors.shape
                and np.array_equal(ours.matrix.view(np.uint32), kv.vectors.view(np.uint32))
            )
            del kv
        vocab = words_of("vocab_file")
        some = load_vectors(a["path"], format=a["format"], vocab=vocab, progress=False)
        wanted = set(vocab)
        keep = [i for i, w in enumerate(ours.words) if w in wanted]
        out["vocab_same"] = some.words == [ours.words[i] for i in keep] and bool(
            np.array_equal(some.matrix, ours.matrix[keep])
        )
        out["vocab_rows"] = len(some.words)
        return out

    if task == "reopen":
        queries = words_of("queries_file")
        stores = [Path(p) for p in a["files"]]
        if a["cold"]:
            _drop_from_page_cache(stores)
        if a["lib"] == "gensim":
            from gensim.models import KeyedVectors

            def reopen():
                return KeyedVectors.load(a["store"], mmap="r")

            def query(v):
                return v.most_similar(queries[0], topn=10)
        else:
            from nlptransfer import Vectors

            def reopen():
                return Vectors.load(a["store"])

            def query(v):
                return v.most_similar(queries[0], k=10)

        opened, out["reopen_s"], _ = _timed(reopen)
        out["first_query_result"], out["first_query_s"], _ = _timed(lambda: query(opened))
        out["first_query_result"] = [w for w, _ in out["first_query_result"]][:3]
        out["total_s"] = out["reopen_s"] + out["first_query_s"]
        return out

    if task == "queries":
        queries = words_of("queries_file")[: a["queries"]]
        if a["lib"] == "gensim":
            from gensim.models import KeyedVectors

            kv = KeyedVectors.load(a["store"], mmap="r")
            _, out["normalise_s"], _ = _timed(lambda: kv.most_similar(queries[0], topn=10))
            found, out["queries_s"], out["cpu_s"] = _timed(
                lambda: [kv.most_similar(w, topn=10) for w in queries]
            )
            out["top1"] = [hits[0][0] for hits in found]
        elif a["lib"] == "faiss":
            import faiss

            from nlptransfer import Vectors

            v = Vectors.load(a["store"])
            unit, out["normalise_s"], _ = _timed(v.unit_matrix)
            index = faiss.IndexFlatIP(v.dim)
            index.add(np.ascontiguousarray(unit))
            rows = np.array([v.index(w) for w in queries])
            query_units = np.ascontiguousarray(unit[rows])
            index.search(query_units[:1], 11)  # starts faiss's threads
            (_, ids), out["queries_s"], out["cpu_s"] = _timed(lambda: index.search(query_units, 11))
            out["top1"] = [
                v.words[next(int(j) for j in row if j != r)]
                for row, r in zip(ids, rows, strict=True)
            ]
        else:
            from nlptransfer import Vectors

            v = Vectors.load(a["store"])
            _, out["normalise_s"], _ = _timed(v.unit_matrix)
            found, out["queries_s"], out["cpu_s"] = _timed(lambda: v.nearest(queries, k=10))
            out["top1"] = [hits[0][0] for hits in found]
        return out

    if task == "shared":  # open, query, report ready, then wait to be measured
        queries = words_of("queries_file")[:SHARED_QUERIES]
        if a["lib"] == "gensim":
            from gensim.models import KeyedVectors

            kv = KeyedVectors.load(a["store"], mmap="r")
            for w in queries:
                kv.most_similar(w, topn=10)
        else:
            from nlptransfer import Vectors

            v = Vectors.load(a["store"])
            v.nearest(queries, k=10)
        print(json.dumps({"ready": os.getpid(), **_memory()}), flush=True)
        sys.stdin.readline()
        return {"task": task, "done": True}
    raise ValueError(f"unknown task {task!r}")


def _run_worker(task: str, args: dict[str, Any], timeout: float = 3600) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", task, json.dumps(args)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if done.returncode:
        raise RuntimeError(f"{task} {args.get('lib', '')} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _private_mib(pid: int) -> float:
    total = 0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total / 1024


def measure_shared(lib: str, store: str, queries_file: str, n: int) -> dict[str, Any]:
    """N processes querying one store at once: the sum of their private memory."""
    args = json.dumps({"lib": lib, "store": store, "queries_file": queries_file})
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", "shared", args]
    procs = [
        subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        for _ in range(n)
    ]
    try:
        peaks = []
        for p in procs:
            assert p.stdout is not None
            line = p.stdout.readline()
            if not line:
                raise RuntimeError(f"a {lib} sharing process failed (exit {p.wait()})")
            peaks.append(json.loads(line)["hwm_mib"])
        private = [_private_mib(p.pid) for p in procs]
    finally:
        for p in procs:
            if p.stdin is not None:
                p.stdin.write("\n")
                p.stdin.close()
        for p in procs:
            p.wait(timeout=600)
    return {"processes": n, "private_mib": private, "private_total_mib": sum(private),
            "peak_one_mib": max(peaks)}  # fmt: skip


# -- the run ----------------------------------------------------------------------------------
def _best(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return min(runs, key=lambda r: r[key])


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    tag = f"{args.rows}x{args.dim}"
    files = {
        "binary": str(work / f"googlenews-{tag}.bin"),
        "text": str(work / f"glove840b-{args.text_rows}x{args.dim}.txt"),
        "binary_vocab": str(work / f"vocab-binary-{tag}.txt"),
        "text_vocab": str(work / f"vocab-text-{args.text_rows}.txt"),
        "binary_queries": str(work / f"queries-{tag}.txt"),
        "text_queries": str(work / f"queries-text-{args.text_rows}.txt"),
    }
    report: dict[str, Any] = {"rows": args.rows, "text_rows": args.text_rows, "dim": args.dim,
                              "cold_idle_s": args.cold_idle}  # fmt: skip
    if args.generate_only or not all(Path(p).exists() for p in files.values()):
        logger.info("generating %s and %s", files["binary"], files["text"])
        gen_args = dict(files, rows=args.rows, text_rows=args.text_rows, dim=args.dim,
                        queries=args.queries)  # fmt: skip
        report["generate"] = _run_worker("generate", gen_args)
        logger.info("generated in %.1f s", report["generate"]["total_s"])
    sizes = {k: Path(files[k]).stat().st_size / 2**20 for k in ("binary", "text")}
    report["file_mib"] = sizes
    if args.generate_only:
        return report

    binary = {"path": files["binary"], "format": "word2vec-bin"}
    text = {"path": files["text"], "format": "glove"}
    logger.info("checking results against gensim")
    report["check"] = {
        "binary": _run_worker("check", dict(binary, vocab_file=files["binary_vocab"])),
        "text": _run_worker(
            "check",
            dict(text, vocab_file=files["text_vocab"], gensim=not args.skip_gensim_text),
        ),
    }
    for name, check in report["check"].items():
        gensim_differs = check["same_words"] is False or check["bit_identical"] is False
        if gensim_differs or not check["vocab_same"]:
            raise SystemExit(f"results differ from gensim's on the {name} file: {check}")

    loads: dict[str, list[dict[str, Any]]] = {}
    matrix_bytes = args.rows * args.dim * 4
    plan = [
        ("binary-ours", "ours", binary, None, "warm"),
        ("binary-gensim", "gensim", binary, None, "warm"),
        ("binary-ours-cold", "ours", binary, None, "cold"),
        ("binary-gensim-cold", "gensim", binary, None, "cold"),
        ("binary-vocab-ours", "ours", binary, files["binary_vocab"], "warm"),
        ("text-ours", "ours", text, None, "warm"),
        ("text-vocab-ours", "ours", text, files["text_vocab"], "warm"),
    ]
    if not args.skip_gensim_text:
        plan.append(("text-gensim", "gensim", text, None, "warm"))
    for round_ in range(args.repeat):  # interleaved: a busy spell falls on all alike
        for name, lib, spec, vocab_file, memory in plan:
            if round_ and name == "text-gensim":
                continue  # minutes each: once is enough for a ratio of 10x or more
            logger.info("load %s (round %d)", name, round_ + 1)
            prepare_memory(memory, matrix_bytes, args.cold_idle)
            result = _run_worker("load", dict(spec, lib=lib, vocab_file=vocab_file))
            loads.setdefault(name, []).append(result)
    report["loads"] = {name: _best(runs, "wall_s") | {"runs": [r["wall_s"] for r in runs]}
                       for name, runs in loads.items()}  # fmt: skip

    stores = {"ours": str(work / f"store-{tag}"), "gensim": str(work / f"gensim-{tag}.kv")}
    saves: dict[str, list[dict[str, Any]]] = {}
    for _ in range(args.repeat):
        for lib in ("ours", "gensim"):
            logger.info("save %s", lib)
            saves.setdefault(lib, []).append(
                _run_worker("save", dict(binary, lib=lib, target=stores[lib], vocab_file=None))
            )
    report["save"] = {lib: _best(runs, "save_s") | {"runs": [r["save_s"] for r in runs]}
                      for lib, runs in saves.items()}  # fmt: skip
    store_files = {
        "ours": [str(work / f"store-{tag}.ntv")],
        "gensim": [str(p) for p in _gensim_store_files(Path(stores["gensim"]))],
    }
    store_of = {"ours": store_files["ours"][0], "gensim": stores["gensim"]}

    reopen: dict[str, Any] = {}
    for cold in (False, True):
        for _ in range(args.repeat):
            for lib in ("ours", "gensim"):
                key = f"{'cold' if cold else 'warm'}-{lib}"
                logger.info("reopen %s", key)
                spec = {"lib": lib, "store": store_of[lib], "files": store_files[lib],
                        "cold": cold, "queries_file": files["binary_queries"]}  # fmt: skip
                reopen.setdefault(key, []).append(_run_worker("reopen", spec))
    report["reopen"] = {k: _best(runs, "total_s") | {"runs": [r["total_s"] for r in runs]}
                        for k, runs in reopen.items()}  # fmt: skip

    queries: dict[str, Any] = {}
    libs = ["ours", "gensim"] + (["faiss"] if _installed("faiss") else [])
    for lib in libs:
        logger.info("%d queries: %s", args.queries, lib)
        spec = {"lib": lib, "store": store_of["gensim" if lib == "gensim" else "ours"],
                "queries_file": files["binary_queries"], "queries": args.queries}  # fmt: skip
        queries[lib] = _run_worker("queries", spec)
    agree = sum(
        a == b for a, b in zip(queries["ours"]["top1"], queries["gensim"]["top1"], strict=True)
    )
    for result in queries.values():
        result.pop("top1")
    report["queries"] = queries | {"count": args.queries, "top1_agreement": agree / args.queries}

    report["shared"] = {}
    for lib in ("ours", "gensim"):
        logger.info("%d processes sharing one store: %s", args.processes, lib)
        report["shared"][lib] = measure_shared(
            lib, store_of[lib], files["binary_queries"], args.processes
        )
    return report


def prepare_memory(memory: str, nbytes: int, idle_s: float) -> None:
    """Put the machine's free memory in one state before a load, the same for both libraries.

    On a virtual machine whose host takes idle guest memory back (this one: a page untouched
    for ~15 s costs ~2 s/GB of system time at its next first write, measured), which state a
    process meets depends on what ran just before it: without this, one library met memory the
    other had just freed, the other memory that had stood idle. ``warm``: a short-lived process
    touches and frees as much memory as the matrix just before (not this one: a child inherits
    its parent's peak resident size, which would hide the worker's own); ``cold``: let the
    machine idle ``idle_s`` seconds.
    """
    if memory == "cold":
        time.sleep(idle_s)
    else:
        touch = f"import numpy; numpy.ones({nbytes}, dtype=numpy.uint8)"  # every page written
        subprocess.run([sys.executable, "-c", touch], check=True)


def _installed(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


def machine() -> dict[str, Any]:
    with open("/proc/meminfo") as f:
        total = int(f.readline().split()[1]) / 2**20
    versions = {p: version(p) for p in ("numpy", "gensim", "pyarrow", "faiss-cpu")
                if _installed(p.split("-")[0])}  # fmt: skip
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(total, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "load_average_at_start": os.getloadavg(),
    }


def _ratio(theirs: float, ours: float) -> float:
    return theirs / ours if ours else float("inf")


def summary(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of the results table: operation, ours, gensim, ratio, goal, met."""
    loads, save, reopen = report["loads"], report["save"], report["reopen"]
    q, shared = report["queries"], report["shared"]
    b_ours, b_gensim = loads["binary-ours"], loads["binary-gensim"]
    c_ours, c_gensim = loads["binary-ours-cold"], loads["binary-gensim-cold"]
    rows = [
        {
            "operation": f"word2vec binary full load ({report['rows']:,} x {report['dim']}), "
            "warm memory (as much touched and freed just before)",
            "ours": f"{b_ours['wall_s']:.2f} s (CPU {b_ours['cpu_s']:.2f} s)",
            "gensim": f"{b_gensim['wall_s']:.2f} s (CPU {b_gensim['cpu_s']:.2f} s)",
            "ratio": _ratio(b_gensim["wall_s"], b_ours["wall_s"]),
            "goal": f">= {GOALS['binary_load_speedup']}x",
            "met": _ratio(b_gensim["wall_s"], b_ours["wall_s"]) >= GOALS["binary_load_speedup"],
        },
        {
            "operation": "same, cold memory (the machine idle for "
            f"{report.get('cold_idle_s', COLD_IDLE_S):.0f} s first)",
            "ours": f"{c_ours['wall_s']:.2f} s (CPU {c_ours['cpu_s']:.2f} s)",
            "gensim": f"{c_gensim['wall_s']:.2f} s (CPU {c_gensim['cpu_s']:.2f} s)",
            "ratio": _ratio(c_gensim["wall_s"], c_ours["wall_s"]),
            "goal": f">= {GOALS['binary_load_speedup']}x",
            "met": _ratio(c_gensim["wall_s"], c_ours["wall_s"]) >= GOALS["binary_load_speedup"],
        },
        {
            "operation": "word2vec binary full load: peak memory above imports / matrix",
            "ours": f"{b_ours['above_imports_mib']:.0f} MiB "
            f"({b_ours['above_imports_mib'] / b_ours['matrix_mib']:.3f}x)",
            "gensim": f"{b_gensim['above_imports_mib']:.0f} MiB "
            f"({b_gensim['above_imports_mib'] / b_gensim['matrix_mib']:.3f}x)",
            "ratio": None,
            "goal": f"<= {GOALS['binary_peak_fraction']}x the matrix",
            "met": b_ours["above_imports_mib"] / b_ours["matrix_mib"]
            <= GOALS["binary_peak_fraction"],
        },
        {
            "operation": f"word2vec binary vocab= load ({loads['binary-vocab-ours']['rows']:,} "
            "rows kept; gensim: full load)",
            "ours": f"{loads['binary-vocab-ours']['wall_s']:.2f} s, "
            f"{loads['binary-vocab-ours']['above_imports_mib']:.0f} MiB",
            "gensim": f"{b_gensim['wall_s']:.2f} s, {b_gensim['above_imports_mib']:.0f} MiB",
            "ratio": _ratio(b_gensim["wall_s"], loads["binary-vocab-ours"]["wall_s"]),
            "goal": None,
            "met": None,
        },
    ]
    t_ours, t_vocab = loads["text-ours"], loads["text-vocab-ours"]
    t_gensim = loads.get("text-gensim")
    rows.append(
        {
            "operation": f"GloVe text full load ({report['text_rows']:,} x {report['dim']})",
            "ours": f"{t_ours['wall_s']:.2f} s (CPU {t_ours['cpu_s']:.2f} s), "
            f"{t_ours['above_imports_mib']:.0f} MiB",
            "gensim": "not run"
            if t_gensim is None
            else f"{t_gensim['wall_s']:.2f} s (CPU {t_gensim['cpu_s']:.2f} s), "
            f"{t_gensim['above_imports_mib']:.0f} MiB",
            "ratio": None if t_gensim is None else _ratio(t_gensim["wall_s"], t_ours["wall_s"]),
            "goal": None,
            "met": None,
        }
    )
    rows.append(
        {
            "operation": f"GloVe text vocab= load ({t_vocab['rows']:,} rows kept) / full load",
            "ours": f"{t_vocab['wall_s']:.2f} s (CPU {t_vocab['cpu_s']:.2f} s), "
            f"{t_vocab['above_imports_mib']:.0f} MiB "
            f"({t_vocab['wall_s'] / t_ours['wall_s']:.3f}x the full load's time)",
            "gensim": "no vocab= filter",
            "ratio": None,
            "goal": f"<= {GOALS['vocab_text_fraction']}x the full load's time",
            "met": t_vocab["wall_s"] / t_ours["wall_s"] <= GOALS["vocab_text_fraction"],
        }
    )
    s_ratio = _ratio(save["gensim"]["save_s"], save["ours"]["save_s"])
    rows.append(
        {
            "operation": "save (native store vs KeyedVectors.save)",
            "ours": f"{save['ours']['save_s']:.2f} s",
            "gensim": f"{save['gensim']['save_s']:.2f} s",
            "ratio": s_ratio,
            "goal": f">= {GOALS['save_speedup']}x",
            "met": s_ratio >= GOALS["save_speedup"],
        }
    )
    for kind in ("warm", "cold"):
        o, g = reopen[f"{kind}-ours"], reopen[f"{kind}-gensim"]
        rows.append(
            {
                "operation": f"reopen + first most_similar, {kind}",
                "ours": f"{o['reopen_s']:.2f} + {o['first_query_s']:.2f} s",
                "gensim": f"{g['reopen_s']:.2f} + {g['first_query_s']:.2f} s",
                "ratio": _ratio(g["total_s"], o["total_s"]),
                "goal": ">= 1x",
                "met": g["total_s"] >= o["total_s"],
            }
        )
    faiss = q.get("faiss")
    rows.append(
        {
            "operation": f"{report['queries']['count']:,} queries, top 10, warm "
            f"(normalisation apart: ours {q['ours']['normalise_s']:.2f} s, gensim "
            f"{q['gensim']['normalise_s']:.2f} s)",
            "ours": f"{q['ours']['queries_s']:.2f} s"
            + ("" if faiss is None else f" (faiss flat {faiss['queries_s']:.2f} s)"),
            "gensim": f"{q['gensim']['queries_s']:.2f} s",
            "ratio": _ratio(q["gensim"]["queries_s"], q["ours"]["queries_s"]),
            "goal": None,
            "met": None,
        }
    )
    so, sg = shared["ours"], shared["gensim"]
    rows.append(
        {
            "operation": f"{so['processes']} processes querying one store: private memory, total"
            f" (largest peak of one)",
            "ours": f"{so['private_total_mib']:.0f} MiB ({so['peak_one_mib']:.0f} MiB)",
            "gensim": f"{sg['private_total_mib']:.0f} MiB ({sg['peak_one_mib']:.0f} MiB)",
            "ratio": _ratio(sg["private_total_mib"], so["private_total_mib"]),
            "goal": "< gensim's",
            "met": so["private_total_mib"] < sg["private_total_mib"],
        }
    )
    return rows


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        f"# Scale benchmark ({report['rows']:,} x {report['dim']} word2vec binary, "
        f"{report['text_rows']:,} x {report['dim']} GloVe text)",
        "",
        f"Command: `{report['command']}`  ",
        f"Date: {report['date']}; machine: {m['cpus']} CPUs, {m['memory_gib']} GiB, "
        f"Python {m['python']}, {', '.join(f'{k} {v}' for k, v in m['versions'].items())}; "
        f"load average at start {', '.join(f'{x:.1f}' for x in m['load_average_at_start'])}.",
        f"Input files: {report['file_mib']['binary']:,.0f} MiB binary, "
        f"{report['file_mib']['text']:,.0f} MiB text. Checked first: our loads give gensim's "
        "words and bit-identical matrices (the text file's only where gensim's text load runs); "
        "the vocab= loads the full loads' rows.",
        "Times: best of the runs in fresh processes (all runs in the JSON); ratio = gensim / ours.",
        "",
        "| operation | ours | gensim | ratio | goal | met |",
        "|---|---|---|---|---|---|",
    ]
    for row in report["summary"]:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}x"
        met = "" if row["met"] is None else ("yes" if row["met"] else "**no**")
        lines.append(
            f"| {row['operation']} | {row['ours']} | {row['gensim']} | {ratio} | "
            f"{row['goal'] or ''} | {met} |"
        )
    if report.get("note"):
        lines += ["", report["note"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        print(json.dumps(worker(argv[1], json.loads(argv[2]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=3_000_000, help="word2vec binary rows")
    parser.add_argument("--text-rows", type=int, default=2_200_000, help="GloVe text rows")
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--processes", type=int, default=4, help="processes sharing one store")
    parser.add_argument("--queries", type=int, default=QUERIES)
    parser.add_argument(
        "--cold-idle",
        type=float,
        default=COLD_IDLE_S,
        help="seconds idle before each cold-memory load (see prepare_memory)",
    )
    parser.add_argument("--repeat", type=int, default=2, help="runs of each load (best kept)")
    parser.add_argument(
        "--skip-gensim-text",
        action="store_true",
        help="gensim's text load (and its check) take minutes",
    )
    parser.add_argument("--workdir", default=str(ROOT / "benchmarks" / ".work" / "scale"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "scale"),
                        help="results: OUT.json and OUT.md")  # fmt: skip
    parser.add_argument(
        "--note", default="", help="a line for the Markdown (e.g. the machine's load)"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, one run: a smoke test")
    parser.add_argument(
        "--from-json", metavar="JSON", help="rewrite OUT.md (and OUT.json) from this JSON, no run"
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="write the input files, time that, stop"
    )
    parser.add_argument("--keep-files", action="store_true", help="keep the generated files")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.text_rows, args.dim = 3000, 2000, 50
        args.queries, args.repeat, args.processes = 50, 1, 2
        args.cold_idle = 0.0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.from_json:
        report = json.loads(Path(args.from_json).read_text())
        report["note"] = args.note or report.get("note", "")
        report["summary"] = summary(report)
        _write(report, Path(args.out))
        return 0
    started = time.perf_counter()
    report = {
        "command": " ".join(
            shlex.quote(a) for a in [Path(sys.executable).name, "benchmarks/bench_scale.py", *argv]
        ),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
    }
    try:
        report |= run(args)
    finally:
        if not args.keep_files:
            for path in Path(args.workdir).glob("*"):
                if path.is_dir():
                    for p in sorted(path.rglob("*"), reverse=True):
                        p.rmdir() if p.is_dir() else p.unlink()
                    path.rmdir()
                else:
                    path.unlink()
    report["note"] = args.note
    if args.generate_only:
        print(json.dumps(report, indent=2, default=str))
        return 0
    report["summary"] = summary(report)
    report["elapsed_s"] = time.perf_counter() - started
    _write(report, Path(args.out))
    return 0


def _write(report: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    out.with_suffix(".md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    sys.exit(main())
