"""The fallback rules and their resolution, on made-up and real vocabularies."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from nlptransfer import Vectors, load_vectors
from nlptransfer.errors import UnknownNameError
from nlptransfer.vectors.fallback import (
    DEFAULT_RULES,
    FALLBACK_RULES,
    SUBWORD_ROW,
    FallbackRule,
    Lookup,
    get_rules,
    per_word,
    resolve,
)


def test_each_word_is_credited_to_the_first_rule_that_finds_it():
    words = ["the", "movie", "##", "(", "straße", "fine", "1/2"]
    v = Vectors(words, np.eye(len(words), dtype=np.float32))
    tokens = ["the", "The", "THE", "Movie", "42", "-LRB-", "STRASSE", "ﬁne", "１９", "1\\/2", "zz"]
    resolution = resolve(v.lookup(), tokens)
    assert resolution.rules == [
        "exact",
        "lower",
        "lower",
        "lower",
        "digits",  # 42 -> ## (word2vec's convention)
        "ptb",  # -LRB- -> (
        "casefold",  # STRASSE ~ straße
        "casefold",  # NFKC turns the ligature into "fine"
        "digits",  # NFKC gives "19", absent; full-width digits are digits: "##"
        "ptb",  # 1\/2 -> 1/2
        None,
    ]
    assert resolution.rows[:8].tolist() == [0, 0, 0, 1, 2, 3, 4, 5]
    assert resolution.found.tolist() == [r is not None for r in resolution.rules]
    # a plain word list resolves the same way as the Vectors holding those words
    assert resolve(Lookup.of_words(words), tokens).rules == resolution.rules


def test_rule_order_is_the_callers():
    glove = load_vectors("glove-6b-50d")
    only_exact = glove.coverage(Counter({"Movie": 3, "movie": 1}), rules=["exact"])
    assert only_exact.rule_tokens == {"exact": 1} and only_exact.missing == [("Movie", 3)]
    casefold_first = resolve(glove.lookup(), ["Movie"], rules=["exact", "casefold", "lower"])
    assert casefold_first.rules == ["casefold"]
    recase = resolve(Lookup.of_words(["Paris"]), ["paris"], rules=["exact", "lower", "recase"])
    assert recase.rules == ["recase"]


def test_rules_are_named_in_the_registry():
    assert FALLBACK_RULES.names() == (
        "exact",
        "lower",
        "casefold",
        "ptb",
        "digits",
        "subword",
        "recase",
    )
    assert all(name in FALLBACK_RULES for name in DEFAULT_RULES)
    with pytest.raises(UnknownNameError, match="unknown fallback rule 'soundex'") as caught:
        get_rules(["exact", "soundex"])
    assert isinstance(caught.value, ValueError) and "recase" in caught.value.known
    with pytest.raises(UnknownNameError, match="did you mean 'casefold'"):
        get_rules(["casefolf"])
    with pytest.raises(ValueError, match="once"):
        get_rules(["exact", "exact"])


def test_a_rule_object_joins_the_named_ones():
    backwards = FallbackRule("backwards", "reversed", per_word(lambda lu, w: lu.row(w[::-1])))
    r = resolve(Lookup.of_words(["tac", "dog"]), ["cat", "dog", "god"], ["exact", backwards])
    assert r.rules == ["backwards", "exact", "backwards"] and r.rows.tolist() == [0, 1, 1]


def test_the_folded_index_is_built_once_and_only_when_needed():
    calls = []

    def folded():
        calls.append(1)
        return {"paris": 0}

    lookup = Lookup({"Paris": 0}, folded)
    assert resolve(lookup, ["Paris"]).rules == ["exact"] and not calls  # never folded
    assert resolve(lookup, ["PARİS", "PARIS"], ["casefold"]).rules == [None, "casefold"]
    assert len(calls) == 1


def test_fasttext_subwords_cover_unseen_words(shared_file):
    ft = load_vectors(shared_file("vectors/lid.176.ftz"))
    assert ft.has_subwords
    resolution = resolve(ft.lookup(), ["xqzwvbrtl", "</s>"])
    # a made-up word still has n-grams in the model; "</s>" never gets n-grams
    assert resolution.rows.tolist() == [SUBWORD_ROW, ft.index("</s>")]
    without = resolve(ft.lookup(), ["xqzwvbrtl"], [r for r in DEFAULT_RULES if r != "subword"])
    assert without.rules == [None]
