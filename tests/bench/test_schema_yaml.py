"""A bench config's YAML cannot make the parser expand aliases without bound (issue 23, item 8):
a few hundred bytes of nested aliases used to grow memory by gigabytes under ``--dry-run``."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from nlptransfer.bench.schema import MAX_EXPANDED_NODES, BenchConfigError, parse_bench_config

HEAD = "name: bomb\ndatasets: [sst2]\nvectors: [glove-6b-50d]\n"


def alias_bomb(key: str, levels: int = 9, width: int = 9) -> str:
    """``key: &a9 [&a8 [... &a1 [*a0 x9] ...], *a8, ...]``: width**levels values in ~440 bytes."""
    node = "&a1 [" + ",".join(["*a0"] * width) + "]"
    for level in range(2, levels + 1):
        node = f"&a{level} [" + ",".join([node] + [f"*a{level - 1}"] * (width - 1)) + "]"
    return HEAD + "description: &a0 x\n" + f"{key}: {node}\n"


@pytest.mark.parametrize("key", ["seeds", "max_train_examples", "train_fraction", "vectors"])
def test_an_alias_bomb_is_refused_fast(key):
    text = alias_bomb(key)
    assert len(text) < 810
    start = time.perf_counter()
    with pytest.raises(BenchConfigError, match="alias bomb") as info:
        parse_bench_config(text, "bomb.yaml")
    assert time.perf_counter() - start < 1.0
    assert str(info.value).startswith("bomb.yaml, line ")


def test_the_alias_bomb_does_not_grow_memory_in_a_real_process(tmp_path):
    """In a process limited to 1 GiB of address space (the old parser needed gigabytes)."""
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb("seeds"))
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from nlptransfer.bench.schema import BenchConfigError, load_bench_config\n"
        "try:\n"
        f"    load_bench_config({str(path)!r})\n"
        "except BenchConfigError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "alias bomb" in done.stdout


def test_a_self_referring_alias_is_refused():
    with pytest.raises(BenchConfigError, match="contains it"):
        parse_bench_config(HEAD + "seeds: &s [1, *s]\n", "loop.yaml")


def test_ordinary_aliases_still_work():
    text = HEAD + "seeds: &s [1, 2, 3]\ntrain: {epochs: 2}\n"
    assert parse_bench_config(text, "ok.yaml").seeds == [1, 2, 3]
    small = alias_bomb("seeds", levels=2, width=3).replace(
        "description: &a0 x", "description: &a0 1"
    )
    with pytest.raises(BenchConfigError, match="description"):  # small: expanded, then checked
        parse_bench_config(small, "small.yaml")
    assert MAX_EXPANDED_NODES >= 10_000
