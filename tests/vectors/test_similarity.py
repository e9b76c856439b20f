"""Exact nearest neighbours against gensim's most_similar."""

from __future__ import annotations

import numpy as np
import pytest

from nlptransfer import load_vectors
from nlptransfer.vectors import similarity
from nlptransfer.vectors.similarity import nearest
from tests.conftest import gensim_data


@pytest.fixture(scope="module")
def lee():
    return load_vectors(gensim_data("lee_fasttext.vec"))


def test_matches_gensim_most_similar(lee, monkeypatch):
    kv = lee.to_gensim()
    queries = ["the", "government", "police", "said"]
    monkeypatch.setattr(similarity, "CHUNK_ROWS", 100)  # many chunks: merging must be right
    ours = nearest(lee, queries, k=10)
    for query, hits in zip(queries, ours, strict=False):
        theirs = kv.most_similar(query, topn=10)
        assert [w for w, _ in hits] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in hits], [s for _, s in theirs], rtol=1e-5)


def test_query_matrix_and_exclusions(lee):
    row = lee["government"][None, :]
    by_vector = nearest(lee, row, k=3)[0]
    assert by_vector[0][0] == "government"  # a vector query excludes nothing
    by_word = nearest(lee, ["government"], k=3, exclude=[["minister"]])[0]
    assert "government" not in [w for w, _ in by_word] and "minister" not in [w for w, _ in by_word]


def test_k_larger_than_vocabulary():
    v = load_vectors(gensim_data("test_glove.txt"), limit=4)
    assert len(nearest(v, [v.words[0]], k=50)[0]) == 3
