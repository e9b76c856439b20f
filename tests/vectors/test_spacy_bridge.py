"""spaCy both ways in memory: ``Vectors.to_spacy(nlp)`` and ``Vectors.from_spacy(nlp)``, on
``spacy.blank("en")`` and the real GloVe 6B 50d."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from nlptransfer import Vectors, load_vectors, read_vectors
from nlptransfer.errors import VectorsFormatError
from tests.conftest import gensim_data

WORDS = ["king", "queen", "prince", "princess", "man", "woman", "apple", "banana", "pasta"]


@pytest.fixture(scope="module")
def glove():
    return load_vectors("glove-6b-50d", vocab=WORDS)


@pytest.fixture
def nlp():
    spacy = pytest.importorskip("spacy")
    return spacy.blank("en")


def test_every_word_gets_its_row(glove, nlp):
    assert glove.to_spacy(nlp) is nlp
    assert nlp.vocab.vectors.shape == (len(WORDS), 50)
    for word in WORDS:
        np.testing.assert_array_equal(nlp.vocab[word].vector, glove[word])
    assert not nlp.vocab["zebra"].has_vector  # not among the words given


def test_spacy_similarity_is_the_cosine_of_our_rows(glove, nlp):
    glove.to_spacy(nlp)
    for a, b in [("king", "queen"), ("king", "apple"), ("banana", "pasta")]:
        np.testing.assert_allclose(nlp(a).similarity(nlp(b)), glove.similarity(a, b), rtol=1e-5)
    royals = nlp("king queen")
    assert royals.similarity(nlp("prince princess")) > royals.similarity(nlp("apple banana"))


def test_ours_to_spacy_to_ours_is_the_same(glove, nlp):
    back = Vectors.from_spacy(glove.to_spacy(nlp, name="glove_test"))
    assert back.words == glove.words
    np.testing.assert_array_equal(back.matrix, glove.matrix)
    assert back.meta["spacy_vectors_name"] == "glove_test" and back.meta["language"] == "en"
    assert Vectors.from_spacy(nlp.vocab).words == glove.words  # a Vocab will do too


def test_new_vectors_replace_the_old(glove, nlp):
    glove.to_spacy(nlp)
    two = Vectors(["cat", "dog"], np.eye(2, dtype=np.float32))
    two.to_spacy(nlp)
    assert nlp.vocab.vectors.shape == (2, 2) and not nlp.vocab["king"].has_vector
    assert Vectors.from_spacy(nlp).words == ["cat", "dog"]


def test_fasttext_subwords_are_left_out_with_a_warning(nlp, caplog):
    fasttext = read_vectors(gensim_data("lee_fasttext_new.bin"))
    with caplog.at_level(logging.WARNING, logger="nlptransfer.vectors.spacy_bridge"):
        fasttext.to_spacy(nlp)
    assert "subword model is left out" in caplog.text
    np.testing.assert_array_equal(nlp.vocab["the"].vector, fasttext["the"])
    assert not nlp.vocab["transferlearning"].has_vector


def test_a_pipeline_without_vectors_is_a_clear_error(nlp):
    with pytest.raises(VectorsFormatError, match=r"the spaCy pipeline en_pipeline: .*found none"):
        Vectors.from_spacy(nlp)


def test_floret_vectors_have_no_words_to_read(nlp):
    from spacy.vectors import Vectors as SpacyVectors

    nlp.vocab.vectors = SpacyVectors(
        strings=nlp.vocab.strings, data=np.ones((8, 3), np.float32), mode="floret", minn=3, maxn=5
    )
    with pytest.raises(VectorsFormatError, match="found 'floret' vectors"):
        Vectors.from_spacy(nlp)


def test_shared_rows_and_nameless_keys(glove, nlp, caplog):
    """spaCy maps keys with identical vectors to one row (``deduplicate_vectors``) and may hold
    keys whose word it never saw (a hash): each word gets its row, nameless keys are skipped."""
    same = Vectors(["cat", "kitty", "dog"], np.array([[1, 0], [1, 0], [0, 1]], np.float32))
    same.to_spacy(nlp)
    nlp.vocab.deduplicate_vectors()
    assert nlp.vocab.vectors.shape == (2, 2)
    nlp.vocab.vectors.add(123456789, row=1)  # a key no string names
    with caplog.at_level(logging.WARNING, logger="nlptransfer.vectors.spacy_bridge"):
        back = Vectors.from_spacy(nlp)
    assert "1 of the 4 vector keys have no word" in caplog.text
    assert sorted(back.words) == ["cat", "dog", "kitty"] and back.meta["spacy_shared_rows"] == 1
    for word in same.words:
        np.testing.assert_array_equal(back[word], same[word])
