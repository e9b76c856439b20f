"""Fuzz the bench config parser (issue 23): a real config (``configs/quick.yaml``), mutated, is
parsed, or refused with a ``BenchConfigError`` naming the file; never another exception, a hang,
or memory that grows with expanded aliases."""

from __future__ import annotations

import pytest
from hypothesis import example, given

from nlptransfer.errors import NLPTransferError
from tests.conftest import REPO
from tests.fuzz.harness import deadline, loaded, refused, run_property
from tests.fuzz.mutations import MUTATIONS, mutate

pytest.importorskip("yaml")
pytest.importorskip("torch")  # the bench package's extra


def test_mutated_bench_configs(tmp_path):
    from nlptransfer.bench.schema import load_bench_config

    seed = (REPO / "configs" / "quick.yaml").read_bytes()
    path = tmp_path / "quick.yaml"

    @given(mutations=MUTATIONS)
    @example(mutations=[("insert", 0.0, b"\xff")])  # not UTF-8
    @example(mutations=[("insert", 0.99, b"x: &a [*a]\n")])  # an alias inside itself
    @example(mutations=[("insert", 0.0, b"\x00")])
    @example(mutations=[("truncate", 0.87890625, b"\x00")])  # yaml.parser.ParserError
    @example(  # "datasets: [tweets]" with the name deleted: an empty grid loaded
        mutations=[("delete", 0.62109375, b"\x00\x00\x00"), ("delete", 0.62109375, b"\x00\x00\x00")]
    )
    def run(mutations):
        path.write_bytes(mutate(seed, mutations))
        try:
            with deadline():
                config = load_bench_config(path)
        except NLPTransferError as error:
            refused("bench-config", error, path)
            return
        assert config.name and config.datasets and config.vectors
        loaded("bench-config", "loaded-checked")

    run_property(run)
