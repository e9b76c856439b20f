"""word2vec binary against gensim on real files."""

from __future__ import annotations

import numpy as np
import pytest

from nlptransfer import load_vectors
from nlptransfer.vectors.formats import word2vec_binary
from nlptransfer.vectors.formats.word2vec_binary import read_word2vec_binary, write_word2vec_binary
from tests.conftest import gensim_data

KeyedVectors = pytest.importorskip(
    "gensim.models", reason="gensim is the reference here: pip install 'nlptransfer[pretrain]'"
).KeyedVectors


def assert_same_as_gensim(ours, kv):
    assert ours.words == list(kv.index_to_key)
    np.testing.assert_array_equal(ours.matrix, kv.vectors)


def test_euclidean_vectors_bin_matches_gensim():
    path = gensim_data("euclidean_vectors.bin")
    ours = load_vectors(path)
    assert ours.format == "word2vec-bin"
    assert_same_as_gensim(ours, KeyedVectors.load_word2vec_format(str(path), binary=True))


def test_shared_googlenews_subset_matches_gensim(shared_file):
    path = shared_file("vectors/GoogleNews-vectors-negative300-bolukbasi.bin.gz")
    ours = load_vectors(path)
    kv = KeyedVectors.load_word2vec_format(str(path), binary=True)
    assert_same_as_gensim(ours, kv)
    assert ours.dim == 300
    np.testing.assert_allclose(np.linalg.norm(ours.matrix[:100], axis=1), 1.0, atol=1e-3)


def test_small_chunks_split_records_anywhere(monkeypatch):
    # Records straddling chunk boundaries must parse the same as whole-file reads.
    path = gensim_data("euclidean_vectors.bin")
    whole = read_word2vec_binary(path)
    for chunk in (7, 41, 1000):
        monkeypatch.setattr(word2vec_binary, "_CHUNK", chunk)
        parts = read_word2vec_binary(path)
        assert parts.words == whole.words
        np.testing.assert_array_equal(parts.matrix, whole.matrix)


def test_vocab_and_limit():
    path = gensim_data("euclidean_vectors.bin")
    kv = KeyedVectors.load_word2vec_format(str(path), binary=True)
    some = kv.index_to_key[100:110]
    ours = load_vectors(path, vocab=some)
    assert ours.words == some
    np.testing.assert_array_equal(ours.matrix, kv[some])
    assert load_vectors(path, limit=5).words == kv.index_to_key[:5]


def test_round_trip_with_gensim(tmp_path):
    real = load_vectors(gensim_data("euclidean_vectors.bin"))
    ours = write_word2vec_binary(tmp_path / "ours.bin", real.words, real.matrix)
    assert_same_as_gensim(real, KeyedVectors.load_word2vec_format(str(ours), binary=True))
    kv = KeyedVectors.load_word2vec_format(str(gensim_data("lee_fasttext.vec")))
    theirs = tmp_path / "theirs.bin"
    kv.save_word2vec_format(str(theirs), binary=True)
    assert_same_as_gensim(load_vectors(theirs), kv)


def test_writer_refuses_words_with_spaces(tmp_path):
    with pytest.raises(ValueError, match="spaces"):
        write_word2vec_binary(tmp_path / "x.bin", ["new york"], np.zeros((1, 2), np.float32))
