"""gensim both ways: ``Vectors.to_gensim`` / ``Vectors.from_gensim`` on real files made by
fastText and word2vec, fastText subwords kept as gensim's ``FastTextKeyedVectors``."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from nlptransfer import Vectors, read_vectors
from tests.conftest import gensim_data

#: Real fastText models with subwords (gensim's test data): English, and Russian (Cyrillic, so
#: the n-grams of multi-byte characters and fastText's signed-char hash are exercised).
FASTTEXT_MODELS = ("lee_fasttext_new.bin", "crime-and-punishment.bin", "toy-model.bin")
#: Words none of those models has: misspellings, accents, Cyrillic, Japanese, one character.
UNKNOWN = ["moviee", "transferlearning", "naïveté", "Straße", "преступленье", "スター", "x"]


@pytest.fixture(scope="module", params=FASTTEXT_MODELS)
def fasttext_file(request):
    return gensim_data(request.param)


@pytest.fixture(scope="module")
def ours(fasttext_file):
    return read_vectors(fasttext_file)


def test_fasttext_vectors_become_fasttext_keyed_vectors(ours):
    from gensim.models.fasttext import FastTextKeyedVectors

    kv = ours.to_gensim()
    assert isinstance(kv, FastTextKeyedVectors)
    assert (kv.min_n, kv.max_n, kv.bucket) == (
        ours.subwords.minn,
        ours.subwords.maxn,
        ours.subwords.bucket,
    )
    assert kv.index_to_key == ours.words
    np.testing.assert_array_equal(kv.vectors, ours.matrix)  # known words: the same rows
    np.testing.assert_array_equal(kv.vectors_ngrams, ours.subwords.ngram_matrix)
    for word in UNKNOWN:
        assert word not in ours
        # gensim divides the n-gram sum by the count, fastText multiplies by its reciprocal
        np.testing.assert_allclose(kv[word], ours.vector(word), rtol=1e-6, atol=1e-7)
        assert np.linalg.norm(kv[word]) > 0


def test_gensims_unknown_word_vectors_are_fasttexts_own(fasttext_file, ours):
    fasttext = pytest.importorskip("fasttext")
    model = fasttext.load_model(str(fasttext_file))
    kv = ours.to_gensim()
    for word in UNKNOWN:
        np.testing.assert_allclose(kv[word], model.get_word_vector(word), rtol=1e-5, atol=1e-6)


def test_the_own_rows_are_those_gensim_reads_from_the_model(fasttext_file, ours):
    """``vectors_vocab`` (each word's own row) is recovered from the composed rows: it matches
    what gensim reads from the file, except ``</s>``, to which gensim gives n-grams and fastText
    none (so its composed row differs between the two)."""
    from gensim.models.fasttext import load_facebook_vectors

    theirs = load_facebook_vectors(str(fasttext_file))
    kv = ours.to_gensim()
    rows = [row for row, word in enumerate(ours.words) if word != "</s>"]
    np.testing.assert_allclose(
        kv.vectors_vocab[rows], theirs.vectors_vocab[rows], rtol=1e-4, atol=1e-5
    )


def test_ours_to_gensim_to_ours_is_the_same(ours):
    back = Vectors.from_gensim(ours.to_gensim())
    assert back.words == ours.words
    np.testing.assert_array_equal(back.matrix, ours.matrix)
    sub, theirs = back.subwords, ours.subwords
    assert (sub.minn, sub.maxn, sub.bucket, sub.pruned) == (
        theirs.minn,
        theirs.maxn,
        theirs.bucket,
        False,
    )
    np.testing.assert_array_equal(sub.ngram_matrix, theirs.ngram_matrix)
    for word in UNKNOWN:
        np.testing.assert_array_equal(back.vector(word), ours.vector(word))


def test_gensim_to_ours_to_gensim_is_the_same(fasttext_file):
    from gensim.models.fasttext import load_facebook_vectors

    theirs = load_facebook_vectors(str(fasttext_file))
    vectors = Vectors.from_gensim(theirs)
    assert vectors.has_subwords and vectors.words == theirs.index_to_key
    again = vectors.to_gensim()
    assert again.index_to_key == theirs.index_to_key
    assert (again.min_n, again.max_n, again.bucket) == (theirs.min_n, theirs.max_n, theirs.bucket)
    np.testing.assert_array_equal(again.vectors, theirs.vectors)
    np.testing.assert_array_equal(again.vectors_ngrams, theirs.vectors_ngrams)
    np.testing.assert_allclose(again.vectors_vocab, theirs.vectors_vocab, rtol=1e-4, atol=1e-5)
    for mine, yours in zip(again.buckets_word, theirs.buckets_word, strict=True):
        np.testing.assert_array_equal(mine, yours)
    for word in [*UNKNOWN, "</s>"]:
        np.testing.assert_array_equal(again[word], theirs[word])  # the same table, same code


def test_a_saved_keyed_vectors_file_reopens_with_the_same_vectors(ours, tmp_path):
    """gensim saves no composed rows: loading recomputes them from the own rows and n-grams."""
    from gensim.models.fasttext import FastTextKeyedVectors

    path = tmp_path / "model.kv"
    ours.to_gensim().save(str(path))
    reopened = FastTextKeyedVectors.load(str(path))
    np.testing.assert_allclose(reopened.vectors, ours.matrix, rtol=1e-5, atol=1e-6)
    read = read_vectors(path, allow_pickle=True)  # our reader of gensim's pickle keeps subwords
    assert read.format == "gensim" and read.has_subwords and read.words == ours.words
    for word in UNKNOWN:
        np.testing.assert_allclose(read.vector(word), ours.vector(word), rtol=1e-6, atol=1e-7)
    assert read_vectors(path, allow_pickle=True, limit=3).has_subwords


def test_word2vec_both_ways():
    from gensim.models import KeyedVectors

    theirs = KeyedVectors.load_word2vec_format(
        str(gensim_data("euclidean_vectors.bin")), binary=True
    )
    vectors = Vectors.from_gensim(theirs, meta={"source": "euclidean"})
    ours = read_vectors(gensim_data("euclidean_vectors.bin"))
    assert vectors.words == ours.words and vectors.source == "euclidean"
    np.testing.assert_array_equal(vectors.matrix, ours.matrix)
    assert not vectors.has_subwords
    again = ours.to_gensim()
    assert type(again) is KeyedVectors and again.index_to_key == theirs.index_to_key
    np.testing.assert_array_equal(again.vectors, theirs.vectors)
    assert again.most_similar(ours.words[5], topn=3) == theirs.most_similar(ours.words[5], topn=3)


def test_from_a_trained_model_takes_its_wv():
    from gensim.models import Word2Vec

    model = Word2Vec([["good", "film"], ["bad", "film"]], vector_size=4, min_count=1, workers=1)
    vectors = Vectors.from_gensim(model)
    assert vectors.words == model.wv.index_to_key
    np.testing.assert_array_equal(vectors["film"], model.wv["film"])


def test_a_pruned_ftz_becomes_plain_keyed_vectors_with_a_warning(shared_file, caplog):
    """lid.176.ftz keeps 42,765 of its 2,000,000 buckets: gensim would average over the dropped
    n-grams too, so its subwords cannot cross; the rows still do."""
    from gensim.models import KeyedVectors

    ours = read_vectors(shared_file("vectors/lid.176.ftz"))
    with caplog.at_level(logging.WARNING, logger="nlptransfer.vectors.gensim_bridge"):
        kv = ours.to_gensim()
    assert type(kv) is KeyedVectors
    assert "pruned (42765 of its 2000000 n-gram buckets kept)" in caplog.text
    np.testing.assert_array_equal(kv.vectors, ours.matrix)
    with pytest.raises(KeyError):
        kv["transferlearning"]
