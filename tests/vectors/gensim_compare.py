"""Comparing ranked (word, score) lists with gensim's, where gensim's own ties allow another order."""

from __future__ import annotations

import numpy as np


def assert_same_top(ours, theirs, atol=1e-5):
    """Same ranked scores, and the same words except where gensim's own scores tie."""
    ours_scores = np.array([s for _, s in ours])
    their_scores = np.array([s for _, s in theirs])
    np.testing.assert_allclose(ours_scores, their_scores, atol=atol)
    for (word, score), (their_word, their_score) in zip(ours, theirs, strict=True):
        if word != their_word:  # equal scores in another order, or another word tied at the cut
            tied = [w for w, s in theirs if abs(s - score) <= atol]
            at_cut = abs(score - theirs[-1][1]) <= atol
            assert (word in tied or at_cut) and abs(their_score - score) <= atol, (ours, theirs)
