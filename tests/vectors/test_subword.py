"""FastTextSubwords against the fastText library, on real model files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

import nlptransfer.vectors.subword as subword_module
from nlptransfer.errors import VectorsFormatError
from nlptransfer.vectors.formats.fasttext_binary import read_fasttext_binary
from nlptransfer.vectors.subword import FastTextSubwords, fasttext_hash, ngram_hashes

fasttext = pytest.importorskip("fasttext")
gensim_utils = pytest.importorskip("gensim.test.utils")

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("NLPTRANSFER_SHARED_DATA", REPO.parent / "shared" / "data"))
LID = SHARED_DATA / "vectors" / "lid.176.ftz"

WORDS = [
    "supercalifragilistic",
    "xyzzy",
    "привет",
    "naïve",
    "Ärger",
    "日本語テキスト",
    "😀ok😀",
    "q",
    "zq",
    "",
    "a-b_c.d",
]


@pytest.fixture(scope="module")
def lee():
    path = Path(gensim_utils.datapath("lee_fasttext_new.bin"))
    return read_fasttext_binary(path).subwords, fasttext.load_model(str(path))


@pytest.fixture(scope="module")
def lid():
    if not LID.exists():
        pytest.skip(f"shared data not found: {LID}; set NLPTRANSFER_SHARED_DATA")
    return read_fasttext_binary(LID).subwords, fasttext.load_model(str(LID))


def textbook_fnv1a(data: bytes) -> int:
    h = 2166136261
    for byte in data:
        h = ((h ^ byte) * 16777619) % 2**32
    return h


def test_hash_is_fnv1a_for_ascii_with_the_signed_char_quirk_otherwise():
    # Published FNV-1a 32-bit test vectors.
    assert fasttext_hash(b"") == 0x811C9DC5
    assert fasttext_hash(b"a") == 0xE40C292C
    assert fasttext_hash(b"foobar") == 0xBF9CF968
    # Bytes >= 0x80 are sign-extended before the XOR, so UTF-8 text hashes differently.
    assert fasttext_hash("é".encode()) != textbook_fnv1a("é".encode())


def test_ngram_rows_are_fasttext_subword_ids(lee):
    sub, ft = lee
    nwords = len(ft.get_words())
    assert sub.nwords == nwords
    oov = [w for w in WORDS if ft.get_word_id(w) < 0]
    assert len(oov) == len(WORDS)
    for word in oov:
        _strings, ids = ft.get_subwords(word)
        np.testing.assert_array_equal(sub.ngram_rows(word), ids - nwords, err_msg=word)


def test_ngram_rows_of_a_pruned_model_are_fasttext_rows(lid):
    sub, ft = lid
    assert sub.pruned
    assert sub.bucket == 2_000_000
    found_any = False
    for word in WORDS:
        if ft.get_word_id(word) >= 0:
            continue
        _strings, ids = ft.get_subwords(word)
        rows = sub.ngram_rows(word)
        assert len(rows) == len(ids), word  # dropped buckets are left out by both
        for row, index in zip(rows, ids, strict=True):
            np.testing.assert_allclose(
                sub.ngram_matrix[row], ft.get_input_vector(index), rtol=1e-6, atol=1e-7
            )
            found_any = True
    assert found_any


@pytest.mark.parametrize("fixture", ["lee", "lid"])
def test_vector_and_vectors_equal_fasttext(request, fixture):
    sub, ft = request.getfixturevalue(fixture)
    oov = [w for w in WORDS if ft.get_word_id(w) < 0]
    reference = np.array([ft.get_word_vector(w) for w in oov])
    batch = sub.vectors(oov)
    assert batch.dtype == np.float32
    assert batch.shape == (len(oov), sub.dim)
    np.testing.assert_allclose(batch, reference, rtol=1e-5, atol=1e-6)
    for word, ref, row in zip(oov, reference, batch, strict=True):
        np.testing.assert_array_equal(sub.vector(word), row)  # single == batched, exactly
        if fixture == "lee":  # dense model: fastText's float32 sums are reproduced bit for bit
            np.testing.assert_array_equal(sub.vector(word), ref)


def test_words_without_ngrams_get_zeros_like_fasttext(lee):
    sub, ft = lee
    assert sub.ngram_rows("").size == 0  # '<>' is shorter than minn = 3
    assert sub.ngram_rows("</s>").size == 0  # fastText never splits the end-of-sentence token
    assert not sub.vector("").any()
    assert not sub.vector("</s>").any()
    assert not ft.get_word_vector("").any()
    assert sub.vector("").dtype == np.float32
    assert sub.vector("").shape == (10,)
    assert sub.vectors([]).shape == (0, 10)


def test_batches_across_chunks_match_one_by_one(lee, monkeypatch):
    sub, _ft = lee
    words = [w + str(i) for i in range(40) for w in WORDS]
    one_by_one = np.array([sub.vector(w) for w in words])
    monkeypatch.setattr(subword_module, "_CHUNK_WORDS", 7)
    np.testing.assert_array_equal(sub.vectors(words), one_by_one)


def test_ngram_hashes_orders_by_start_then_length():
    index, hashes = ngram_hashes([b"abc", b"</s>", "дом".encode()], 2, 3)
    expected = [b"<a", b"<ab", b"ab", b"abc", b"bc", b"bc>", b"c>"]
    expected_dom = ["<д", "<до", "до", "дом", "ом", "ом>", "м>"]
    assert index.tolist() == [0] * 7 + [2] * 7
    assert hashes.tolist() == [fasttext_hash(g) for g in expected] + [
        fasttext_hash(g.encode()) for g in expected_dom
    ]


def test_invalid_utf8_bytes_follow_fasttexts_byte_rules():
    # A lone continuation byte never starts an n-gram; it extends the code point before it.
    index, hashes = ngram_hashes([b"a\x80b"], 1, 1)
    assert hashes.tolist() == [fasttext_hash(b"a\x80"), fasttext_hash(b"b")]
    assert index.tolist() == [0, 0]


@pytest.mark.parametrize("fixture", ["lee", "lid"])
def test_save_load_round_trip_with_mmap(request, fixture, tmp_path):
    sub, _ft = request.getfixturevalue(fixture)
    sub.save(tmp_path)
    files = {p.name for p in tmp_path.iterdir()}
    expected_files = {"subword.json", "subword_ngrams.npy"}
    if sub.pruned:
        expected_files.add("subword_buckets.npy")
    assert files == expected_files
    config = json.loads((tmp_path / "subword.json").read_text())
    assert {k: config[k] for k in ("minn", "maxn", "bucket", "nwords", "dim", "pruned")} == {
        "minn": sub.minn,
        "maxn": sub.maxn,
        "bucket": sub.bucket,
        "nwords": sub.nwords,
        "dim": sub.dim,
        "pruned": sub.pruned,
    }
    loaded = FastTextSubwords.load(tmp_path)
    assert isinstance(loaded.ngram_matrix, np.memmap)
    assert not loaded.ngram_matrix.flags.writeable
    np.testing.assert_array_equal(loaded.ngram_matrix, sub.ngram_matrix)
    np.testing.assert_array_equal(loaded.vectors(WORDS), sub.vectors(WORDS))
    in_memory = FastTextSubwords.load(tmp_path, mmap=False)
    assert not isinstance(in_memory.ngram_matrix, np.memmap)
    np.testing.assert_array_equal(in_memory.vectors(WORDS), sub.vectors(WORDS))


def test_saving_an_unpruned_model_over_a_pruned_one_removes_stale_buckets(lee, lid, tmp_path):
    lid[0].save(tmp_path)
    lee[0].save(tmp_path)
    assert not (tmp_path / "subword_buckets.npy").exists()
    assert not FastTextSubwords.load(tmp_path).pruned


def test_load_reports_missing_and_inconsistent_files(lee, tmp_path):
    sub, _ft = lee
    with pytest.raises(VectorsFormatError, match="subword model config"):
        FastTextSubwords.load(tmp_path)
    sub.save(tmp_path)
    config = json.loads((tmp_path / "subword.json").read_text())
    (tmp_path / "subword.json").write_text(json.dumps({**config, "dim": 7}))
    with pytest.raises(VectorsFormatError, match="7 columns"):
        FastTextSubwords.load(tmp_path)
    (tmp_path / "subword.json").write_text(json.dumps({**config, "pruned": True}))
    with pytest.raises(VectorsFormatError, match=r"subword_buckets\.npy"):
        FastTextSubwords.load(tmp_path)
    (tmp_path / "subword.json").write_text("{not json")
    with pytest.raises(VectorsFormatError, match="expected JSON"):
        FastTextSubwords.load(tmp_path)


def test_save_needs_an_existing_folder(lee, tmp_path):
    with pytest.raises(NotADirectoryError):
        lee[0].save(tmp_path / "missing")


def test_constructor_checks_shapes():
    matrix = np.zeros((4, 3), dtype=np.float32)
    with pytest.raises(ValueError, match="one per bucket"):
        FastTextSubwords(matrix, minn=3, maxn=6, bucket=5, nwords=0)
    with pytest.raises(ValueError, match="strictly increasing"):
        FastTextSubwords(
            matrix, minn=3, maxn=6, bucket=100, nwords=0, bucket_ids=np.array([5, 3, 7, 9])
        )
    with pytest.raises(ValueError, match="one bucket id per"):
        FastTextSubwords(matrix, minn=3, maxn=6, bucket=100, nwords=0, bucket_ids=np.arange(3))
    pruned = FastTextSubwords(
        matrix, minn=3, maxn=6, bucket=100, nwords=0, bucket_ids=np.array([1, 5, 9, 99])
    )
    assert pruned.pruned
    assert pruned.dim == 3
    assert "pruned" in repr(pruned)


def test_a_model_without_ngrams_needs_no_rows_and_gives_zeros(tmp_path):
    """fastText with maxn == 0 returns all zeros for an unknown word; so does the model."""
    sub = FastTextSubwords(np.zeros((0, 4), np.float32), minn=0, maxn=0, bucket=2_000_000, nwords=7)
    assert sub.ngram_rows("anything").size == 0
    np.testing.assert_array_equal(sub.vector("anything"), np.zeros(4, np.float32))
    np.testing.assert_array_equal(sub.vectors(["a", "</s>", ""]), np.zeros((3, 4), np.float32))
    own = np.array([[1.5, -2.0, 0.25, 3.0]], np.float32)
    np.testing.assert_array_equal(sub.compose(["known"], own_rows=own), own)
    sub.save(tmp_path)
    again = FastTextSubwords.load(tmp_path)
    assert (again.maxn, again.bucket, again.ngram_matrix.shape) == (0, 2_000_000, (0, 4))
    assert not again.vector("anything").any()
    with pytest.raises(ValueError, match="n-gram rows"):  # with n-grams, every bucket needs a row
        FastTextSubwords(np.zeros((0, 4), np.float32), minn=3, maxn=6, bucket=10, nwords=0)
