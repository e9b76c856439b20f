"""Analogies (3CosAdd, 3CosMul) against gensim's most_similar and most_similar_cosmul."""

from __future__ import annotations

import numpy as np
import pytest

from nlptransfer import UnknownWordError
from nlptransfer.vectors.analogy import analogy_rows
from tests.vectors.gensim_compare import assert_same_top


def test_analogies_match_gensim_3cosadd_and_3cosmul(glove, glove_kv):
    questions = [("man", "king", "woman"), ("paris", "france", "tokyo"), ("good", "better", "bad")]
    add = glove.solve_analogies(questions, k=5)
    mul = glove.solve_analogies(questions, k=5, method="3cosmul")
    for (a, b, c), ours_add, ours_mul in zip(questions, add, mul, strict=True):
        assert_same_top(ours_add, glove_kv.most_similar(positive=[b, c], negative=[a], topn=5))
        theirs = glove_kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
        assert_same_top(ours_mul, theirs)
    single = glove.analogy("man", "king", "woman", k=1)
    assert single[0][0] == add[0][0][0] and single[0][1] == pytest.approx(add[0][0][1], abs=1e-6)


def test_analogy_rows_answer_as_the_word_questions_do(glove):
    questions = [("man", "king", "woman"), ("paris", "france", "tokyo")]
    rows = np.array([[glove.index(w) for w in q] for q in questions])
    for method in ("3cosadd", "3cosmul"):
        by_words = glove.solve_analogies(questions, k=3, method=method)
        by_rows = analogy_rows(glove.unit_matrix(), rows, k=3, method=method)
        assert [[glove.words[r] for r in hits] for hits in by_rows] == [
            [w for w, _ in hits] for hits in by_words
        ]
    limited = analogy_rows(glove.unit_matrix(), rows, k=5, restrict_vocab=1000)
    assert all(r < 1000 for hits in limited for r in hits)


def test_bad_questions_are_refused(glove):
    with pytest.raises(ValueError, match="method"):
        glove.analogy("a", "b", "c", method="3cosavg")
    with pytest.raises(ValueError, match=r"\(a, b, c\)"):
        glove.solve_analogies([("man", "king")])
    with pytest.raises(UnknownWordError):
        glove.analogy("man", "king", "qqqzzzunknown")
    assert glove.analogy("man", "king", "woman", k=0) == []
