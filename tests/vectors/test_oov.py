"""OOV policies and build_matrix, on real vectors and a real dataset's vocabulary."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from nlptransfer import build_matrix, load_vectors
from nlptransfer.errors import NLPTransferError, UnknownNameError
from nlptransfer.vectors.oov import (
    KIM_UNIFORM_SCALE,
    OOV_POLICIES,
    NormalPolicy,
    UniformPolicy,
    get_policy,
)


@pytest.fixture(scope="module")
def sst2_counts(shared_file):
    path = shared_file("kim2014/stsa.binary.train")
    return Counter(
        t for line in path.read_text(encoding="utf8").splitlines() for t in line.split()[1:]
    )


def test_found_rows_are_the_pretrained_rows_and_the_rest_follow_the_policy(glove, sst2_counts):
    words = ["<pad>", *sst2_counts]
    matrix, report = build_matrix(
        glove, words, policy="uniform", seed=3, zero_words=["<pad>"], counts=sst2_counts
    )
    assert matrix.shape == (len(words), 50) and matrix.dtype == np.float32
    assert not matrix[0].any()
    for i, word in enumerate(words[1:], start=1):
        rule = report.rule_of.get(word)
        if rule == "exact":
            np.testing.assert_array_equal(matrix[i], glove[word])
        elif rule is None:
            assert np.abs(matrix[i]).max() <= KIM_UNIFORM_SCALE and matrix[i].any()
    assert matrix[words.index("-lrb-")].tolist() == glove["("].tolist()
    # the report is the coverage report of the same words and counts
    assert report.to_dict() == glove.coverage(sst2_counts).to_dict()


def test_same_seed_same_matrix_other_seed_other_rows(glove):
    words = ["movie", "qqzxa", "qqzxb", "qqzxc"]
    first, _ = build_matrix(glove, words, policy="normal", seed=11)
    again, _ = build_matrix(glove, words, policy="normal", seed=11)
    other, _ = build_matrix(glove, words, policy="normal", seed=12)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first[0], other[0])
    assert not np.allclose(first[1:], other[1:])
    generator, _ = build_matrix(glove, words, policy="normal", seed=np.random.default_rng(11))
    np.testing.assert_array_equal(first, generator)


def test_uniform_auto_matches_the_variance_of_the_found_rows(glove):
    found = np.asarray(glove.matrix[:5000], dtype=np.float64)
    rows = UniformPolicy("auto").rows(
        ["x"] * 20000, vectors=glove, found=found, rng=np.random.default_rng(0)
    )
    assert rows.var(axis=0).mean() == pytest.approx(found.var(axis=0).mean(), rel=0.03)
    bound = UniformPolicy("auto").bound(glove, found)
    assert np.abs(rows).max() <= bound < 2.0 and bound != KIM_UNIFORM_SCALE


def test_normal_matches_mean_and_std_per_dimension(glove):
    found = np.asarray(glove.matrix[:5000], dtype=np.float64)
    rows = NormalPolicy().rows(
        ["x"] * 40000, vectors=glove, found=found, rng=np.random.default_rng(0)
    )
    np.testing.assert_allclose(rows.mean(axis=0), found.mean(axis=0), atol=0.02)
    np.testing.assert_allclose(rows.std(axis=0), found.std(axis=0), rtol=0.03)
    # "vectors": statistics of the whole matrix instead of the found rows
    whole = NormalPolicy(reference="vectors").rows(
        ["x"] * 40000, vectors=glove, found=found[:1], rng=np.random.default_rng(0)
    )
    assert whole.std() != pytest.approx(rows.std(), rel=1e-3)


def test_zero_policy_and_an_empty_word_list(glove):
    matrix, report = build_matrix(glove, ["qqzxa"], policy="zero")
    assert not matrix.any() and report.missing == [("qqzxa", 1)]
    empty, report = build_matrix(glove, [], policy="uniform")
    assert empty.shape == (0, 50) and report.types == 0


def test_subword_policy_uses_fasttext_and_needs_a_subword_model(shared_file, glove):
    ft = load_vectors(shared_file("vectors/lid.176.ftz"))
    words = ["bonjour", "xqzwvbrtl"]
    no_rule, report = build_matrix(ft, words, policy="subword", fallbacks=["exact"])
    for i, word in enumerate(words):
        if word not in report.rule_of:
            np.testing.assert_array_equal(no_rule[i], ft.subwords.vector(word))
    by_rule, report = build_matrix(ft, words, policy="zero")
    assert report.rule_of["xqzwvbrtl"] == "subword"
    np.testing.assert_allclose(by_rule, no_rule)
    with pytest.raises(NLPTransferError, match="subword model"):
        build_matrix(glove, ["qqzxa"], policy="subword")


def test_policies_by_name_dict_or_object():
    assert get_policy("uniform") == UniformPolicy(KIM_UNIFORM_SCALE)
    assert get_policy({"name": "uniform", "scale": "auto"}) == UniformPolicy("auto")
    assert get_policy("normal", reference="vectors") == NormalPolicy("vectors")
    policy = UniformPolicy(0.1)
    assert get_policy(policy) is policy
    assert get_policy("uniform", scale=0.1).describe() == {
        "name": "uniform",
        "scale": 0.1,
        "reference": "found",
    }
    with pytest.raises(UnknownNameError, match="unknown OOV policy 'gaussian'") as caught:
        get_policy("gaussian")
    assert isinstance(caught.value, ValueError)
    with pytest.raises(UnknownNameError, match="did you mean 'normal'"):
        get_policy({"name": "normol"})
    with pytest.raises(ValueError, match="OOV policy name"):
        get_policy({"scale": 0.1})
    with pytest.raises(ValueError, match="bad options"):
        get_policy("zero", scale=2)


def test_policies_are_named_in_the_registry():
    assert OOV_POLICIES.names() == ("zero", "uniform", "normal", "subword")
    for name in OOV_POLICIES.names():
        assert OOV_POLICIES.get(name).name == name  # the class says its registered name
    assert get_policy("Uniform") == UniformPolicy()  # names are case-insensitive
