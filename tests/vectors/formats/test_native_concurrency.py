"""Saving over a native store while other processes open it, and two processes saving at once.

Real processes (``tests/vectors/formats/native_workers.py``): every load must be one whole
store, the old one or the new one; writers take turns and leave no temporaries.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.vectors.formats.native_workers import MARKERS, marked_store

ROOT = Path(__file__).resolve().parents[3]


def _start(role: str, store: Path, seconds: float) -> subprocess.Popen:
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.vectors.formats.native_workers",
            role,
            str(store),
            str(seconds),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen, timeout: float) -> dict:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def _run(store: Path, seconds: float, writers: int, readers: int) -> tuple[list[dict], list[dict]]:
    marked_store(MARKERS[0]).save(store)
    started = [_start("writer", store, seconds) for _ in range(writers)]
    started += [_start("reader", store, seconds) for _ in range(readers)]
    results = [_finish(p, timeout=seconds + 120) for p in started]
    return results[:writers], results[writers:]


def _check(store: Path, writes: list[dict], reads: list[dict]) -> None:
    assert all(w["saves"] > 0 for w in writes)
    for read in reads:
        assert read["n_problems"] == 0, read["problems"]
        assert read["loads"] > 0
    left = sorted(p.name for p in store.iterdir())
    assert len(left) == 3 and left[0] == ".lock" and left[2] == "meta.json", left
    assert left[1].startswith("data-")  # one version, no temporaries


def test_readers_see_one_whole_store_while_two_writers_replace_it(tmp_path):
    store = tmp_path / "marked.ntv"
    writes, reads = _run(store, seconds=2.5, writers=2, readers=2)
    _check(store, writes, reads)
    assert sum(w["saves"] for w in writes) >= 10
    assert {m for r in reads for m in r["seen"]} == set(MARKERS)  # both stores were read


@pytest.mark.slow
def test_readers_see_one_whole_store_while_it_is_replaced_for_long(tmp_path):
    store = tmp_path / "marked.ntv"
    writes, reads = _run(store, seconds=20.0, writers=2, readers=4)
    _check(store, writes, reads)
