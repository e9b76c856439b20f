"""The word2vec binary reader that copies vectors straight into the matrix (issue 22, item 3).

Rows are found by their word lengths, then every vector of a chunk is gathered in one vectorised
copy (``copy_records``) into the matrix being built: these tests check that whatever the words'
lengths (so whatever the vectors' alignment), bytes, chunk boundaries, ``vocab=`` and ``limit=``,
the rows are the file's, against gensim reading a file gensim wrote, and against a plain
reference parse of files written byte by byte.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlptransfer.vectors.formats import word2vec_binary
from nlptransfer.vectors.formats.collector import RowCollector
from nlptransfer.vectors.formats.word2vec_binary import copy_records, read_word2vec_binary

# Words as the C tool and gensim write them: UTF-8 text without spaces or control characters
# (emoji, accents, CJK, underscores of phrases), and raw bytes that are not UTF-8.
_TEXT_WORD = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters=" "),
    min_size=1,
    max_size=12,
).map(lambda w: w.encode("utf-8"))
_ODD_WORD = st.binary(min_size=1, max_size=8).filter(
    lambda b: b" " not in b and not any(c < 32 for c in b)
)


def _file_bytes(words: list[bytes], matrix: np.ndarray, newline: bool) -> bytes:
    """word2vec binary, byte by byte: the header, then each word, a space, its float32s, and
    (as the C tool writes) a newline."""
    rows = [w + b" " + row.astype("<f4").tobytes() + (b"\n" if newline else b"") for w, row in
            zip(words, matrix, strict=True)]  # fmt: skip
    return f"{len(words)} {matrix.shape[1]}\n".encode() + b"".join(rows)


def _reference(words: list[bytes], matrix: np.ndarray, *, limit=None, vocab=None):
    """What a correct reader keeps: first occurrences, decoded with 'replace', filtered."""
    kept_words: list[str] = []
    kept_rows = []
    for i, raw in enumerate(words[:limit]):
        word = raw.decode("utf-8", errors="replace")
        if word in kept_words or (vocab is not None and word not in vocab):
            continue
        kept_words.append(word)
        kept_rows.append(matrix[i])
    return kept_words, np.array(kept_rows, np.float32).reshape(len(kept_words), matrix.shape[1])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(_TEXT_WORD | _ODD_WORD, min_size=1, max_size=40, unique=True),
    dim=st.integers(1, 9),
    newline=st.booleans(),
    chunk=st.sampled_from([7, 64, 1000, 1 << 20]),
    limit=st.none() | st.integers(0, 45),
    pick=st.none() | st.integers(1, 5),
    data=st.data(),
)
def test_any_words_any_chunks_read_as_written(
    tmp_path, monkeypatch, words, dim, newline, chunk, limit, pick, data
):
    rng = np.random.default_rng(len(words) * 31 + dim)
    matrix = (rng.standard_normal((len(words), dim)) * 0.2).astype(np.float32)
    path = tmp_path / "any.bin"
    path.write_bytes(_file_bytes(words, matrix, newline))
    decoded = [w.decode("utf-8", errors="replace") for w in words]
    vocab = (
        None if pick is None else set(data.draw(st.lists(st.sampled_from(decoded), max_size=pick)))
    )
    monkeypatch.setattr(word2vec_binary, "_CHUNK", chunk)
    parsed = read_word2vec_binary(path, limit=limit, vocab=vocab)
    expected_words, expected_matrix = _reference(words, matrix, limit=limit, vocab=vocab)
    assert parsed.words == expected_words
    assert parsed.matrix.dtype == np.float32
    assert np.array_equal(parsed.matrix.view(np.uint32), expected_matrix.view(np.uint32))


def test_every_alignment_in_one_chunk(tmp_path):
    # Word lengths 1..8 put the vectors at every offset modulo 4 within one chunk.
    words = [b"w" * (1 + i % 8) + str(i).encode() for i in range(1000)]
    matrix = np.arange(1000 * 300, dtype=np.float32).reshape(1000, 300) / 1e5 + 0.5
    path = tmp_path / "aligned.bin"
    path.write_bytes(_file_bytes(words, matrix, newline=True))
    parsed = read_word2vec_binary(path)
    assert parsed.words == [w.decode() for w in words]
    assert np.array_equal(parsed.matrix, matrix)


@pytest.mark.parametrize("dim", [1, 3, 300])
def test_copy_records_gathers_at_any_offset(dim):
    rng = np.random.default_rng(dim)
    values = rng.standard_normal((50, dim)).astype("<f4")
    gaps = rng.integers(0, 7, size=50)
    raw = b""
    starts = []
    for gap, row in zip(gaps, values, strict=True):
        raw += b"x" * int(gap)
        starts.append(len(raw))
        raw += row.tobytes()
    out = np.full((50, dim), np.nan, np.float32)
    copy_records(raw, np.array(starts), out)
    assert np.array_equal(out, values)


def test_a_full_load_fills_the_matrix_in_place():
    # A reader that writes into reserve()'s room and adds that view: no second copy, one matrix.
    rows = RowCollector(Path("x.bin"), 2, location="offset", expected_rows=4)
    first = rows.reserve(3)
    assert first is not None
    first[:] = [[1, 2], [3, 4], [5, 6]]
    rows.add([b"a", b"b", b"c"], first, [0, 1, 2])
    second = rows.reserve(1)
    assert second is not None and np.shares_memory(first, second) is False
    second[:] = [[7, 8]]
    rows.add([b"d"], second, [3])
    parsed = rows.finish()
    assert parsed.words == ["a", "b", "c", "d"]
    assert np.array_equal(parsed.matrix, [[1, 2], [3, 4], [5, 6], [7, 8]])
    assert parsed.matrix.ctypes.data == first.ctypes.data  # the very room handed out


def test_a_duplicate_in_a_batch_written_in_place_keeps_the_first_row():
    rows = RowCollector(Path("x.bin"), 1, location="offset", expected_rows=4)
    batch = rows.reserve(4)
    assert batch is not None
    batch[:] = [[1], [2], [3], [4]]
    rows.add([b"a", b"b", b"a", b"c"], batch, [0, 1, 2, 3])
    assert rows.reserve(1) is None  # after a duplicate, kept rows may not follow the file's
    parsed = rows.finish()
    assert parsed.words == ["a", "b", "c"]
    assert np.array_equal(parsed.matrix, [[1], [2], [4]])


def test_reserve_is_refused_when_rows_are_filtered():
    rows = RowCollector(Path("x.bin"), 2, vocab={"a"}, location="offset", expected_rows=1)
    assert rows.reserve(3) is None
    assert RowCollector(Path("x.bin"), 2, location="offset").reserve(3) is None


# --- against gensim, on files gensim writes -------------------------------------------------

gensim_models = pytest.importorskip("gensim.models")


def _gensim_file(path: Path, keys: list[str], vectors: np.ndarray) -> Path:
    kv = gensim_models.KeyedVectors(vectors.shape[1])
    kv.add_vectors(keys, vectors)
    kv.save_word2vec_format(str(path), binary=True)
    return path


@pytest.fixture(scope="module")
def gensim_written(tmp_path_factory):
    """A 300-d file written by gensim: unicode words, phrases, words of every length."""
    keys = ["the", "New_York", "café", "naïve", "東京", "🙂", "Zürich_Hbf", "x"]
    keys += [f"word{i}" + "_" * (i % 5) for i in range(3000)]
    rng = np.random.default_rng(7)
    vectors = (rng.standard_normal((len(keys), 300)) * 0.13).astype(np.float32)
    path = _gensim_file(tmp_path_factory.mktemp("gensim") / "g.bin", keys, vectors)
    kv = gensim_models.KeyedVectors.load_word2vec_format(str(path), binary=True)
    return path, kv


def test_a_file_written_by_gensim_reads_as_gensim_reads_it(gensim_written):
    path, kv = gensim_written
    parsed = read_word2vec_binary(path)
    assert parsed.words == list(kv.index_to_key)
    assert np.array_equal(parsed.matrix, kv.vectors)


def test_limit_and_vocab_on_a_gensim_file(gensim_written):
    path, kv = gensim_written
    limited = read_word2vec_binary(path, limit=1234)
    assert limited.words == kv.index_to_key[:1234]
    assert np.array_equal(limited.matrix, kv.vectors[:1234])
    wanted = ["東京", "🙂", "word2999____", "word17__", "absent"]
    filtered = read_word2vec_binary(path, vocab=wanted)
    assert filtered.words == ["東京", "🙂", "word17__", "word2999____"]  # file order
    assert np.array_equal(filtered.matrix, kv[filtered.words])


def test_words_with_odd_bytes_as_gensim_reads_them(tmp_path):
    words = [b"ok", b"caf\xe9", b"\xff\xfe", b"half\xe6\x9d", b"fine"]
    matrix = np.arange(15, dtype=np.float32).reshape(5, 3) / 10 + 0.1
    path = tmp_path / "odd.bin"
    path.write_bytes(_file_bytes(words, matrix, newline=True))
    kv = gensim_models.KeyedVectors.load_word2vec_format(
        str(path), binary=True, unicode_errors="replace"
    )
    parsed = read_word2vec_binary(path)
    assert parsed.words == list(kv.index_to_key)
    assert np.array_equal(parsed.matrix, kv.vectors)
    assert read_word2vec_binary(path, unicode_errors="skip").words == ["ok", "fine"]


def test_offsets_of_rows_found_one_step_at_a_time():
    # Rows the pattern found, then rows the step-by-step loop appended (to report, or where the
    # pattern stops): vector starts follow each word and its space.
    record = 8
    offsets = word2vec_binary._Offsets([b"", b"\n"], [b"ab", b"c"], record)
    assert offsets.vectors().tolist() == [3, 14]
    assert [offsets[0], offsets[1]] == [0, 12]
    offsets.words.append(b"word")
    offsets.append(23)
    assert offsets.vectors().tolist() == [3, 14, 28]
    assert offsets[2] == 23 and len(offsets) == 3
