"""Prefault: a large array's pages mapped in a thread, its contents never changed."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import numpy as np
import pytest

from nlptransfer import load_vectors
from nlptransfer._util import prefault
from nlptransfer._util.prefault import Prefault
from tests.conftest import gensim_data

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="madvise is Linux's")


def _resident_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@linux_only
def test_pages_are_mapped_ahead_of_the_writer():
    before = _resident_mib()
    matrix = np.empty((128 * 1024 * 1024 // 1200, 300), np.float32)  # 128 MiB, not yet touched
    with Prefault(matrix) as mapping:
        if mapping._thread is None:
            pytest.skip("this system has no madvise")
        mapping._thread.join()  # let it map every page (leaving the block stops it)
    grown = _resident_mib() - before
    if grown < 1:
        pytest.skip("this kernel has no MADV_POPULATE_WRITE (Linux 5.14+)")
    assert grown > 100  # mapped without a byte written by this test


def test_contents_written_before_and_during_are_kept():
    matrix = np.empty((128 * 1024 * 1024 // 1200, 300), np.float32)
    pattern = np.arange(300, dtype=np.float32)
    matrix[: len(matrix) // 2] = pattern  # written before the thread starts
    with Prefault(matrix):
        matrix[len(matrix) // 2 :] = -pattern  # and while it runs
    assert (matrix[: len(matrix) // 2] == pattern).all()
    assert (matrix[len(matrix) // 2 :] == -pattern).all()


def test_small_arrays_start_no_thread():
    assert Prefault(np.empty((10, 10), np.float32))._thread is None


def test_a_reader_whose_matrix_grows_loads_the_same_rows(tmp_path, monkeypatch):
    """A compressed file's matrix is resized as rows arrive: the thread is stopped first."""
    monkeypatch.setattr(prefault, "MIN_BYTES", 0)
    monkeypatch.setattr(
        "nlptransfer.vectors.formats.word2vec_binary._RESERVE_BYTES", 4096
    )  # room for a few rows only: the matrix grows many times
    source = gensim_data("euclidean_vectors.bin")
    packed = tmp_path / "vectors.bin.gz"
    packed.write_bytes(gzip.compress(source.read_bytes()))
    plain = load_vectors(source, format="word2vec-bin", progress=False)
    grown = load_vectors(packed, format="word2vec-bin", progress=False)
    assert grown.words == plain.words
    np.testing.assert_array_equal(grown.matrix, plain.matrix)
