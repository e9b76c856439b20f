"""Exact nearest neighbours against gensim's most_similar."""

from __future__ import annotations

import numpy as np
import pytest

from nlptransfer import UnknownWordError, load_vectors
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
    monkeypatch.setattr(similarity, "QUERY_BLOCK_ELEMENTS", 400)
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


# -- the batched search engine ---------------------------------------------------------------
@pytest.fixture(scope="module")
def glove():
    return load_vectors("glove-6b-50d")


@pytest.fixture(scope="module")
def glove_kv(glove):
    kv = glove.to_gensim()
    kv.fill_norms()
    return kv


def _assert_same_top(ours, theirs, atol=1e-5):
    """Same ranked scores, and the same words except where gensim's own scores tie."""
    ours_scores = np.array([s for _, s in ours])
    their_scores = np.array([s for _, s in theirs])
    np.testing.assert_allclose(ours_scores, their_scores, atol=atol)
    for (word, score), (their_word, their_score) in zip(ours, theirs, strict=True):
        if word != their_word:  # equal scores in another order, or another word tied at the cut
            tied = [w for w, s in theirs if abs(s - score) <= atol]
            at_cut = abs(score - theirs[-1][1]) <= atol
            assert (word in tied or at_cut) and abs(their_score - score) <= atol, (ours, theirs)


@pytest.mark.parametrize(("chunk", "elements"), [(100_000, 1 << 22), (5_000, 50_000)])
def test_batched_nearest_matches_gensim_on_full_glove(
    glove, glove_kv, monkeypatch, chunk, elements
):
    # small blocks force many query blocks and row chunks, so the merge runs on every path
    monkeypatch.setattr(similarity, "CHUNK_ROWS", chunk)
    monkeypatch.setattr(similarity, "QUERY_BLOCK_ELEMENTS", elements)
    rng = np.random.default_rng(7)
    queries = [glove.words[i] for i in rng.choice(len(glove), 40, replace=False)]
    queries += ["the", "king", "movie", "excellent"]
    ours = glove.nearest(queries, k=10)
    for query, hits in zip(queries, ours, strict=True):
        assert query not in [w for w, _ in hits]
        _assert_same_top(hits, glove_kv.most_similar(query, topn=10))


def test_top_k_equals_a_full_sort_with_ties(monkeypatch):
    rng = np.random.default_rng(0)
    # rounded scores give many exact ties; the full sort orders them by row
    scores = np.round(rng.standard_normal((37, 1000)), 1).astype(np.float32)
    for chunk, elements, want in [(64, 256, 5), (1000, 1 << 20, 12), (7, 50, 30), (300, 900, 1)]:
        monkeypatch.setattr(similarity, "CHUNK_ROWS", chunk)
        monkeypatch.setattr(similarity, "QUERY_BLOCK_ELEMENTS", elements)
        got_scores, got_rows = similarity.top_k(lambda r, q: scores[q, r].T, 37, 1000, want)
        for i in range(37):
            order = np.lexsort((np.arange(1000), -scores[i]))[:want]
            assert got_rows[i].tolist() == order.tolist(), (chunk, elements, want, i)
            np.testing.assert_array_equal(got_scores[i], scores[i, order])


def test_top_k_all_scores_equal_keeps_the_first_rows(monkeypatch):
    # every score ties: whichever path a block takes, the earliest rows must win
    scores = np.zeros((6, 500), np.float32)
    for chunk, elements in [(7, 42), (100, 600), (500, 1 << 20)]:
        monkeypatch.setattr(similarity, "CHUNK_ROWS", chunk)
        monkeypatch.setattr(similarity, "QUERY_BLOCK_ELEMENTS", elements)
        _, rows = similarity.top_k(lambda r, q: scores[q, r].T, 6, 500, 9)
        assert rows.tolist() == [list(range(9))] * 6, (chunk, elements)


def test_restrict_vocab_matches_gensim(glove, glove_kv):
    ours = glove.nearest(["computer"], k=5, restrict_vocab=5000)[0]
    _assert_same_top(ours, glove_kv.most_similar("computer", topn=5, restrict_vocab=5000))
    assert all(glove.index(w) < 5000 for w, _ in ours)


def test_most_similar_positive_negative_and_weights(glove, glove_kv):
    ours = glove.most_similar(["king", "woman"], ["man"], k=10)
    _assert_same_top(ours, glove_kv.most_similar(positive=["king", "woman"], negative=["man"]))
    weighted = glove.most_similar([("paris", 2.0), "italy"], [("france", -0.5)], k=5)
    theirs = glove_kv.most_similar(positive=[("paris", 2.0), "italy"], negative=[("france", -0.5)])
    _assert_same_top(weighted, theirs[:5])
    # a vector term behaves as its word would, but its word is not excluded
    by_vector = glove.most_similar([glove["king"]], k=1)
    assert by_vector[0][0] == "king" and by_vector[0][1] == pytest.approx(1.0, abs=1e-6)


def test_analogies_match_gensim_3cosadd_and_3cosmul(glove, glove_kv):
    questions = [("man", "king", "woman"), ("paris", "france", "tokyo"), ("good", "better", "bad")]
    add = similarity.solve_analogies(glove, questions, k=5)
    mul = similarity.solve_analogies(glove, questions, k=5, method="3cosmul")
    for (a, b, c), ours_add, ours_mul in zip(questions, add, mul, strict=True):
        _assert_same_top(ours_add, glove_kv.most_similar(positive=[b, c], negative=[a], topn=5))
        theirs = glove_kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
        _assert_same_top(ours_mul, theirs)
    single = glove.analogy("man", "king", "woman", k=1)
    assert single[0][0] == add[0][0][0] and single[0][1] == pytest.approx(add[0][0][1], abs=1e-6)


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
    with pytest.raises(UnknownWordError):
        glove.analogy("man", "king", "qqqzzzunknown")


def test_out_of_vocabulary_queries_use_fasttext_subwords_as_gensim():
    from gensim.models.fasttext import load_facebook_vectors

    path = gensim_data("lee_fasttext_new.bin")
    ours = load_vectors(path)
    theirs = load_facebook_vectors(str(path))
    word = "governmentality"
    assert word not in ours
    _assert_same_top(ours.nearest([word], k=10)[0], theirs.most_similar(word, topn=10))
    assert ours.similarity(word, "government") == pytest.approx(
        float(theirs.similarity(word, "government")), abs=1e-5
    )


def test_unit_matrix_is_cached_read_only_and_works_on_a_memmap(tmp_path):
    source = load_vectors(gensim_data("lee_fasttext.vec"))
    stored = load_vectors(source.save(tmp_path / "lee"))  # memory-mapped, read-only
    assert isinstance(stored.matrix, np.memmap) and not stored.matrix.flags.writeable
    unit = stored.unit_matrix()
    assert unit is stored.unit_matrix() and not unit.flags.writeable
    np.testing.assert_allclose(np.linalg.norm(unit, axis=1), 1.0, rtol=1e-6)
    assert nearest(stored, ["police"], k=5) == nearest(source, ["police"], k=5)
    replaced = np.array(stored.matrix)
    replaced[stored.index("police")] *= -1
    stored.matrix = replaced  # a new matrix invalidates the cache
    assert stored.unit_matrix() is not unit
    assert stored.similarity("police", "police") == pytest.approx(1.0)


def test_zero_rows_have_cosine_zero_not_nan():
    from nlptransfer import Vectors

    v = Vectors(["a", "b", "zero"], np.array([[1, 0], [1, 1], [0, 0]], np.float32))
    hits = v.nearest(["a"], k=2)[0]
    assert hits[0][0] == "b" and hits[1] == ("zero", 0.0)
    assert v.similarity("a", "zero") == 0.0


def test_bad_arguments_are_rejected(glove):
    with pytest.raises(ValueError, match="dimension 50"):
        glove.nearest(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="method"):
        glove.analogy("a", "b", "c", method="3cosavg")
    with pytest.raises(ValueError, match="exclude"):
        glove.nearest(["king"], exclude=[[], []])
    assert glove.nearest(["king"], k=0) == [[]]
    assert glove.nearest([], k=3) == []
