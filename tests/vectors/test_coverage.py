"""Coverage reports on real datasets and vectors, and the fallback rules behind them."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from nlptransfer import Vectors, load_vectors
from nlptransfer.vectors.coverage import (
    DEFAULT_RULES,
    SUBWORD_ROW,
    CoverageReport,
    coverage_report,
    get_rules,
    resolve,
)


@pytest.fixture(scope="module")
def glove():
    return load_vectors("glove-6b-50d")


@pytest.fixture(scope="module")
def sst2_tokens(shared_file):
    path = shared_file("kim2014/stsa.binary.train")
    return [line.split()[1:] for line in path.read_text(encoding="utf8").splitlines()]


def test_sst2_coverage_by_glove_adds_up(glove, sst2_tokens):
    report = coverage_report(glove, sst2_tokens, top_missing=10)
    counts = Counter(t for tokens in sst2_tokens for t in tokens)
    exact_types = [w for w in counts if w in glove]
    assert report.types == len(counts) and report.tokens == sum(counts.values())
    assert report.rule_types["exact"] == len(exact_types)
    assert report.rule_tokens["exact"] == sum(counts[w] for w in exact_types)
    assert sum(report.rule_types.values()) + report.missing_types == report.types
    assert sum(report.rule_tokens.values()) + report.missing_tokens == report.tokens
    # SST writes brackets as Penn Treebank escapes: the ptb rule finds them
    assert report.rule_of["-lrb-"] == "ptb" and report.rule_of["-rrb-"] == "ptb"
    assert report.rule_tokens["ptb"] >= counts["-lrb-"] + counts["-rrb-"]
    assert 0.99 < report.token_coverage < 1.0
    missing = [w for w, _ in report.missing]
    assert len(missing) == 10 and all(w not in glove for w in missing)
    assert [c for _, c in report.missing] == sorted((c for _, c in report.missing), reverse=True)


def test_each_word_is_credited_to_the_first_rule_that_finds_it():
    words = ["the", "movie", "##", "(", "straße", "fine", "1/2"]
    v = Vectors(words, np.eye(len(words), dtype=np.float32))
    tokens = ["the", "The", "THE", "Movie", "42", "-LRB-", "STRASSE", "ﬁne", "１９", "1\\/2", "zz"]
    resolution = resolve(v, tokens)
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


def test_rule_order_is_the_callers(glove):
    only_exact = coverage_report(glove, Counter({"Movie": 3, "movie": 1}), rules=["exact"])
    assert only_exact.rule_tokens == {"exact": 1} and only_exact.missing == [("Movie", 3)]
    casefold_first = resolve(glove, ["Movie"], rules=["exact", "casefold", "lower"])
    assert casefold_first.rules == ["casefold"]
    with pytest.raises(ValueError, match="fallback rules among"):
        get_rules(["exact", "soundex"])
    with pytest.raises(ValueError, match="once"):
        get_rules(["exact", "exact"])


def test_fasttext_subwords_cover_unseen_words(shared_file):
    ft = load_vectors(shared_file("vectors/lid.176.ftz"))
    assert ft.has_subwords
    resolution = resolve(ft, ["xqzwvbrtl", "</s>"])
    # a made-up word still has n-grams in the model; "</s>" never gets n-grams
    assert resolution.rows.tolist() == [SUBWORD_ROW, ft.index("</s>")]
    report = coverage_report(ft, [["xqzwvbrtl"]])
    assert report.rule_types["subword"] == 1 and report.token_coverage == 1.0
    no_subwords = coverage_report(
        ft, [["xqzwvbrtl"]], rules=[r for r in DEFAULT_RULES if r != "subword"]
    )
    assert no_subwords.missing == [("xqzwvbrtl", 1)]


def test_counter_and_token_lists_give_the_same_report(glove, sst2_tokens):
    counts = Counter(t for tokens in sst2_tokens[:500] for t in tokens)
    assert (
        coverage_report(glove, counts).to_dict()
        == coverage_report(glove, sst2_tokens[:500]).to_dict()
    )


def test_strings_instead_of_token_lists_are_refused(glove):
    with pytest.raises(TypeError, match="expected an iterable of token lists"):
        coverage_report(glove, ["a whole sentence", "another one"])


def test_report_serialises_and_prints(glove):
    report = coverage_report(glove, [["Good", "movie", "qqqzx", "qqqzx"]])
    data = json.loads(report.to_json())
    assert data["rules"]["lower"] == {"types": 1, "tokens": 1}
    assert data["missing"] == [{"word": "qqqzx", "count": 2}]
    assert data["token_coverage"] == 0.5 and data["vectors"] == "glove-6b-50d"
    assert "rule_of" not in data
    text = str(report)
    assert text == report.table()
    assert "glove-6b-50d" in text and "qqqzx (2)" in text and "50.0%" in text
    assert isinstance(report, CoverageReport) and report.covered_types == 2


def test_empty_data_is_fully_covered(glove):
    report = coverage_report(glove, [])
    assert report.tokens == 0 and report.token_coverage == 1.0 and report.missing == []


def test_coverage_of_a_vocabularys_counts_uses_this_report(glove):
    from nlptransfer import Vocab

    vocab = Vocab.build([["Good", "film", "zzqqx"], ["good"]])
    report = glove.coverage(vocab.token_counts())
    assert isinstance(report, CoverageReport)
    assert report.missing[0][0] == "zzqqx"
