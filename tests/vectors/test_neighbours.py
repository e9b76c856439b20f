"""Word queries (nearest, most_similar, similarity, doesnt_match) against gensim's."""

from __future__ import annotations

import numpy as np
import pytest

from nlptransfer import UnknownWordError, load_vectors
from nlptransfer.vectors import topk
from tests.conftest import gensim_data
from tests.vectors.gensim_compare import assert_same_top


@pytest.fixture(scope="module")
def lee():
    return load_vectors(gensim_data("lee_fasttext.vec"))


def test_matches_gensim_most_similar(lee, monkeypatch):
    kv = lee.to_gensim()
    queries = ["the", "government", "police", "said"]
    monkeypatch.setattr(topk, "CHUNK_ROWS", 100)  # many chunks: merging must be right
    monkeypatch.setattr(topk, "QUERY_BLOCK_ELEMENTS", 400)
    ours = lee.nearest(queries, k=10)
    for query, hits in zip(queries, ours, strict=False):
        theirs = kv.most_similar(query, topn=10)
        assert [w for w, _ in hits] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in hits], [s for _, s in theirs], rtol=1e-5)


def test_query_matrix_and_exclusions(lee):
    row = lee["government"][None, :]
    by_vector = lee.nearest(row, k=3)[0]
    assert by_vector[0][0] == "government"  # a vector query excludes nothing
    by_word = lee.nearest(["government"], k=3, exclude=[["minister"]])[0]
    assert "government" not in [w for w, _ in by_word] and "minister" not in [w for w, _ in by_word]


def test_k_larger_than_vocabulary():
    v = load_vectors(gensim_data("test_glove.txt"), limit=4)
    assert len(v.nearest([v.words[0]], k=50)[0]) == 3


@pytest.mark.parametrize(("chunk", "elements"), [(100_000, 1 << 22), (5_000, 50_000)])
def test_batched_nearest_matches_gensim_on_full_glove(
    glove, glove_kv, monkeypatch, chunk, elements
):
    # small blocks force many query blocks and row chunks, so the merge runs on every path
    monkeypatch.setattr(topk, "CHUNK_ROWS", chunk)
    monkeypatch.setattr(topk, "QUERY_BLOCK_ELEMENTS", elements)
    rng = np.random.default_rng(7)
    queries = [glove.words[i] for i in rng.choice(len(glove), 40, replace=False)]
    queries += ["the", "king", "movie", "excellent"]
    ours = glove.nearest(queries, k=10)
    for query, hits in zip(queries, ours, strict=True):
        assert query not in [w for w, _ in hits]
        assert_same_top(hits, glove_kv.most_similar(query, topn=10))


def test_restrict_vocab_matches_gensim(glove, glove_kv):
    ours = glove.nearest(["computer"], k=5, restrict_vocab=5000)[0]
    assert_same_top(ours, glove_kv.most_similar("computer", topn=5, restrict_vocab=5000))
    assert all(glove.index(w) < 5000 for w, _ in ours)


def test_most_similar_positive_negative_and_weights(glove, glove_kv):
    ours = glove.most_similar(["king", "woman"], ["man"], k=10)
    assert_same_top(ours, glove_kv.most_similar(positive=["king", "woman"], negative=["man"]))
    weighted = glove.most_similar([("paris", 2.0), "italy"], [("france", -0.5)], k=5)
    theirs = glove_kv.most_similar(positive=[("paris", 2.0), "italy"], negative=[("france", -0.5)])
    assert_same_top(weighted, theirs[:5])
    # a vector term behaves as its word would, but its word is not excluded
    by_vector = glove.most_similar([glove["king"]], k=1)
    assert by_vector[0][0] == "king" and by_vector[0][1] == pytest.approx(1.0, abs=1e-6)


def test_similarity_and_doesnt_match_match_gensim(glove, glove_kv):
    for a, b in [("cat", "dog"), ("car", "banana"), ("king", "king")]:
        assert glove.similarity(a, b) == pytest.approx(float(glove_kv.similarity(a, b)), abs=1e-6)
    words = ["breakfast", "cereal", "dinner", "lunch"]
    assert glove.doesnt_match(words) == glove_kv.doesnt_match(words)
    assert glove.doesnt_match([*words, "qqqzzzunknown"]) == glove_kv.doesnt_match(words)
    with pytest.raises(UnknownWordError):
        glove.doesnt_match(["qqqzzzunknown"])


def test_unknown_words_raise_without_subwords(glove):
    with pytest.raises(UnknownWordError, match="qqqzzzunknown"):
        glove.nearest(["king", "qqqzzzunknown"])


def test_out_of_vocabulary_queries_use_fasttext_subwords_as_gensim():
    from gensim.models.fasttext import load_facebook_vectors

    path = gensim_data("lee_fasttext_new.bin")
    ours = load_vectors(path)
    theirs = load_facebook_vectors(str(path))
    word = "governmentality"
    assert word not in ours
    assert_same_top(ours.nearest([word], k=10)[0], theirs.most_similar(word, topn=10))
    assert ours.similarity(word, "government") == pytest.approx(
        float(theirs.similarity(word, "government")), abs=1e-5
    )


def test_zero_rows_have_cosine_zero_not_nan():
    from nlptransfer import Vectors

    v = Vectors(["a", "b", "zero"], np.array([[1, 0], [1, 1], [0, 0]], np.float32))
    hits = v.nearest(["a"], k=2)[0]
    assert hits[0][0] == "b" and hits[1] == ("zero", 0.0)
    assert v.similarity("a", "zero") == 0.0


def test_bad_arguments_are_rejected(glove):
    with pytest.raises(ValueError, match="dimension 50"):
        glove.nearest(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="exclude"):
        glove.nearest(["king"], exclude=[[], []])
    assert glove.nearest(["king"], k=0) == [[]]
    assert glove.nearest([], k=3) == []
