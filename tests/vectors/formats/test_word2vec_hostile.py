"""word2vec files that lie: misaligned rows (a key with a space, bytes inserted or removed) and
headers that promise more than the file holds. Each is refused with a VectorsFormatError naming
the file and the offset or line, never loaded as garbled words, and never before memory is set
aside for what the header claims (issue 23, items 4, 5 and 11)."""

from __future__ import annotations

import gzip
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from nlptransfer.errors import VectorsFormatError
from nlptransfer.vectors.formats.text import read_text_vectors
from nlptransfer.vectors.formats.word2vec_binary import read_word2vec_binary
from nlptransfer.vectors.read import read_vectors
from tests.conftest import gensim_data
from tests.fuzz.mutations import MUTATIONS, mutate

gensim_models = pytest.importorskip("gensim.models")
KeyedVectors = gensim_models.KeyedVectors


def _gensim_file(path: Path, keys: list[str], vectors: np.ndarray) -> Path:
    """A word2vec binary file written by gensim itself."""
    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(keys, vectors)
    kv.save_word2vec_format(str(path), binary=True)
    return path


@pytest.fixture(scope="module")
def euclidean():
    return KeyedVectors.load_word2vec_format(str(gensim_data("euclidean_vectors.bin")), binary=True)


@pytest.mark.parametrize(("row", "key"), [(0, "new york"), (5, "a b"), (17, "x yz"), (29, "ab cd")])
def test_gensim_key_with_a_space_is_refused_naming_it(tmp_path, euclidean, row, key):
    keys = list(euclidean.index_to_key[:30])
    keys[row] = key
    path = _gensim_file(tmp_path / "spaced.bin", keys, euclidean.vectors[:30])
    with pytest.raises(VectorsFormatError) as info:
        read_word2vec_binary(path)
    message = str(info.value)
    assert str(path) in message and "contains a space" in message and "gensim" in message
    assert repr(key.encode()) in message
    start = path.read_bytes().index(key.encode() + b" ")
    assert info.value.offset == start


def test_gensim_keys_with_spaces_are_never_loaded_garbled(tmp_path, euclidean):
    """The trial's case: one key of each file holds a space; none loads."""
    rng = np.random.default_rng(0)
    for n in range(40):
        keys = list(euclidean.index_to_key[:30])
        i = int(rng.integers(30))
        cut = int(rng.integers(1, len(keys[i]) + 1))
        keys[i] = keys[i][:cut] + " " + keys[i][cut:] + "s"
        path = _gensim_file(tmp_path / f"s{n}.bin", keys, euclidean.vectors[:30])
        with pytest.raises(VectorsFormatError, match="contains a space"):
            read_word2vec_binary(path)


@pytest.mark.parametrize("where", [2, 10, 25, 43])
def test_a_byte_inserted_in_the_first_row_is_refused(tmp_path, where):
    data = gensim_data("euclidean_vectors.bin").read_bytes()
    header = data.index(b"\n") + 1  # the first row starts there ("the " and its vector)
    path = tmp_path / "inserted.bin"
    path.write_bytes(data[: header + where] + b"\x07" + data[header + where :])
    with pytest.raises(VectorsFormatError) as info:
        read_word2vec_binary(path)
    assert str(path) in str(info.value) and info.value.offset is not None


def _in_a_small_process(code: str, limit_mb: int = 1500) -> subprocess.CompletedProcess:
    """Run ``code`` in a child whose address space may grow by at most ``limit_mb`` after its
    imports (a header that sets memory aside fails there at once instead of swapping)."""
    prelude = (
        "import resource\n"
        "from nlptransfer.vectors.read import read_vectors\n"
        "from nlptransfer.errors import VectorsFormatError\n"
        "size = int(open('/proc/self/statm').read().split()[0]) * resource.getpagesize()\n"
        f"resource.setrlimit(resource.RLIMIT_AS, (size + {limit_mb} << 20, size + {limit_mb} << 20))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", prelude + code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[3],
    )


HOSTILE = [
    ("dim.txt", b"1 10000000\nword 1.5 2\n", False, "word2vec-text", "10000000"),
    ("dim.txt.gz", b"1 10000000\nword 1.5 2\n", True, "word2vec-text", "10000000"),
    ("dim.bin", b"1 1000000000000\nw \x00\x00\x80?\n", False, "word2vec-bin", "1000000000000"),
    ("dim.bin.gz", b"1 1000000000000\nw \x00\x00\x80?\n", True, "word2vec-bin", None),
    ("count.bin", b"100000000000 300\nw \x00\x00\x80?\n", False, "word2vec-bin", "100000000000"),
    ("count.bin.gz", b"100000000000 300\nw " + b"\x00" * 1200, True, "word2vec-bin", None),
    ("count.txt.gz", b"100000000000 300\nw" + b" 1" * 300 + b"\n", True, "word2vec-text", None),
]


@pytest.mark.parametrize(("name", "data", "compress", "fmt", "number"), HOSTILE)
def test_a_header_that_claims_too_much_is_refused_fast_and_small(
    tmp_path, name, data, compress, fmt, number
):
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if compress else data)
    code = (
        "try:\n"
        f"    read_vectors({str(path)!r}, format={fmt!r})\n"
        "except VectorsFormatError as e:\n"
        "    print('REFUSED', e.offset, e.line, e)\n"
    )
    began = time.monotonic()
    done = _in_a_small_process(code)
    assert time.monotonic() - began < 60
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("REFUSED"), done.stdout
    assert str(path) in done.stdout
    if number is not None:  # refused at the header (or the first row), naming the numbers
        assert number in done.stdout
        assert done.stdout.split()[1:3] in (["0", "None"], ["None", "1"], ["None", "2"])


def test_word2vec_text_header_after_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.vec"
    path.write_bytes(b"\xef\xbb\xbf2 3\ncat 1 2 3\ndog 4 5 6\n")
    for parsed in (
        read_text_vectors(path),
        read_text_vectors(path, header=True),
        read_vectors(path),
    ):
        assert parsed.words == ["cat", "dog"]
        assert parsed.matrix.tolist() == [[1, 2, 3], [4, 5, 6]]


def test_word2vec_binary_after_a_byte_order_mark_is_refused_naming_it(tmp_path):
    """gensim refuses it too; a binary file is never written by a text editor."""
    path = tmp_path / "bom.bin"
    path.write_bytes(b"\xef\xbb\xbf" + gensim_data("euclidean_vectors.bin").read_bytes())
    with pytest.raises(VectorsFormatError, match="byte-order mark") as info:
        read_vectors(path)
    assert info.value.offset == 0 and str(path) in str(info.value)


@pytest.mark.parametrize("compress", [False, True])
def test_glove_text_after_a_byte_order_mark_keeps_the_first_word_whole(tmp_path, compress):
    path = tmp_path / "bom.txt"
    data = b"\xef\xbb\xbfcat 1 2 3\ndog 4 5 6\n"
    path.write_bytes(gzip.compress(data) if compress else data)
    for parsed in (read_text_vectors(path), read_vectors(path, format="glove")):
        assert parsed.words == ["cat", "dog"]
    odd = tmp_path / "odd.txt"  # the exact path (a token with a space) skips it too
    odd.write_bytes(b"\xef\xbb\xbfcat 1 2 3\nhot dog 4 5 6\n")
    assert read_text_vectors(odd, header=False).words == ["cat", "hot dog"]


# --- property: a mutated real file loads as gensim reads it, or is refused -----------------------


@pytest.fixture(scope="module")
def small_file(tmp_path_factory, euclidean):
    path = tmp_path_factory.mktemp("w2v") / "small.bin"
    return _gensim_file(path, list(euclidean.index_to_key[:8]), euclidean.vectors[:8]).read_bytes()


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutations=MUTATIONS)
def test_a_mutated_file_loads_as_gensim_reads_it_or_is_refused(tmp_path, small_file, mutations):
    path = tmp_path / "mutated.bin"
    path.write_bytes(mutate(small_file, mutations))
    try:
        expected = KeyedVectors.load_word2vec_format(
            str(path), binary=True, unicode_errors="replace"
        )
    except Exception:  # gensim refuses: so must we
        expected = None
    try:
        parsed = read_word2vec_binary(path)
    except VectorsFormatError as error:
        assert str(path) in str(error)
        return
    assert expected is not None, "gensim refuses this file, but it loaded"
    assert parsed.words == list(expected.index_to_key)
    assert np.array_equal(parsed.matrix, expected.vectors)
