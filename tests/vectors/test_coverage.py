"""Coverage reports on real datasets and vectors."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from nlptransfer import load_vectors
from nlptransfer.vectors.coverage import CoverageReport, coverage_report
from nlptransfer.vectors.fallback import DEFAULT_RULES, Lookup


@pytest.fixture(scope="module")
def sst2_tokens(shared_file):
    path = shared_file("kim2014/stsa.binary.train")
    return [line.split()[1:] for line in path.read_text(encoding="utf8").splitlines()]


def test_sst2_coverage_by_glove_adds_up(glove, sst2_tokens):
    report = glove.coverage(sst2_tokens, top_missing=10)
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


def test_fasttext_subwords_count_as_covered(shared_file):
    ft = load_vectors(shared_file("vectors/lid.176.ftz"))
    report = ft.coverage([["xqzwvbrtl"]])
    assert report.rule_types["subword"] == 1 and report.token_coverage == 1.0
    no_subwords = ft.coverage([["xqzwvbrtl"]], rules=[r for r in DEFAULT_RULES if r != "subword"])
    assert no_subwords.missing == [("xqzwvbrtl", 1)]


def test_the_report_function_works_on_a_plain_lookup():
    report = coverage_report(Lookup.of_words(["a", "b"]), Counter({"A": 2, "c": 1}), source="ab")
    assert report.rule_of == {"A": "lower"} and report.missing == [("c", 1)]
    assert report.tokens == 3 and report.vectors == "ab"


def test_counter_and_token_lists_give_the_same_report(glove, sst2_tokens):
    counts = Counter(t for tokens in sst2_tokens[:500] for t in tokens)
    assert glove.coverage(counts).to_dict() == glove.coverage(sst2_tokens[:500]).to_dict()


def test_strings_instead_of_token_lists_are_refused(glove):
    with pytest.raises(TypeError, match="expected an iterable of token lists"):
        glove.coverage(["a whole sentence", "another one"])


def test_report_serialises_and_prints(glove):
    report = glove.coverage([["Good", "movie", "qqqzx", "qqqzx"]])
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
    report = glove.coverage([])
    assert report.tokens == 0 and report.token_coverage == 1.0 and report.missing == []


def test_coverage_of_a_vocabularys_counts_uses_this_report(glove):
    from nlptransfer import Vocab

    vocab = Vocab.build([["Good", "film", "zzqqx"], ["good"]])
    report = glove.coverage(vocab.token_counts())
    assert isinstance(report, CoverageReport)
    assert report.missing[0][0] == "zzqqx"
