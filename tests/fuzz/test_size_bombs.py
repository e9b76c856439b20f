"""Files whose headers promise far more than they hold (issue 23, item 5): read in a fresh
process, each is refused, and the peak memory the read allocates (Python and numpy, as
``tracemalloc`` counts it) is no more than a small multiple of the file's size plus a fixed
allowance for the reader's buffers, not what the header says."""

from __future__ import annotations

import json
import struct
import subprocess
import sys

import pytest

from tests.conftest import gensim_data

#: Peak memory a read may add: this much, plus MULTIPLE times the file's size.
ALLOWANCE = 64 * 1024 * 1024
MULTIPLE = 10

_MEASURE = """
import json, sys, tracemalloc
import numpy as np
from nlptransfer.errors import NLPTransferError
from nlptransfer.vectors.read import read_vectors
tracemalloc.start()  # numpy reports its buffers to tracemalloc too
try:
    read_vectors(sys.argv[1], format=sys.argv[2])
    outcome = "loaded"
except NLPTransferError as error:
    outcome = "refused: " + str(error)[:300]
print(json.dumps({"outcome": outcome, "grew": tracemalloc.get_traced_memory()[1]}))
"""


def _fasttext_with_dim(dim: int) -> bytes:
    data = bytearray(gensim_data("crime-and-punishment.bin").read_bytes())
    data[8:12] = struct.pack("<i", dim)  # args.dim, right after the magic number and version
    return bytes(data)


BOMBS = {
    "word2vec-text, dim 10^7": (b"1 10000000\nw 1.0\n", "word2vec-text"),
    "word2vec-text, count 10^9": (b"1000000000 300\nw " + b"0.5 " * 300 + b"\n", "word2vec-text"),
    "word2vec-bin, count 10^9": (b"1000000000 300\nw " + bytes(1200), "word2vec-bin"),
    "word2vec-bin, dim 10^12": (b"2 1000000000000\nw " + bytes(64), "word2vec-bin"),
    "fasttext-bin, dim 2^30": (None, "fasttext-bin"),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_header_that_lies_costs_no_memory(tmp_path, name):
    data, fmt = BOMBS[name]
    if data is None:
        data = _fasttext_with_dim(1 << 30)
    path = tmp_path / "bomb"
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), fmt],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outcome"].startswith("refused: ") and str(path) in result["outcome"]
    assert result["grew"] <= ALLOWANCE + MULTIPLE * len(data), result


def test_the_measure_sees_a_real_allocation(tmp_path):
    """The check can fail: reading a real 100k-row file does raise the peak by its size."""
    rows = b"".join(b"w%d " % i + b"0.5 " * 50 + b"\n" for i in range(100_000))
    path = tmp_path / "big.txt"
    path.write_bytes(b"100000 50\n" + rows)
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), "word2vec-text"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outcome"] == "loaded" and result["grew"] >= 100_000 * 50 * 4
