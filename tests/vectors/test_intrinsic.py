"""Intrinsic evaluation against gensim's evaluate_word_pairs / evaluate_word_analogies."""

from __future__ import annotations

import locale

import numpy as np
import pytest

from nlptransfer import Vectors, intrinsic
from nlptransfer.errors import DatasetError
from nlptransfer.vectors.intrinsic import analogies, benchmark_file, word_similarity


@pytest.fixture(scope="module")
def glove_kv(glove):
    return glove.to_gensim()


@pytest.fixture(scope="module")
def question_sample(tmp_path_factory):
    """Every 40th question of each section of Google's file (495 questions, 14 sections)."""
    lines = benchmark_file("questions-words.txt").read_text(encoding="utf8").splitlines()
    kept, n = [], 0
    for line in lines:
        if line.startswith(": "):
            kept.append(line)
            n = 0
            continue
        if n % 40 == 0:
            kept.append(line)
        n += 1
    path = tmp_path_factory.mktemp("analogies") / "questions-sample.txt"
    path.write_text("\n".join(kept) + "\n", encoding="utf8")
    return path


@pytest.mark.parametrize("name", ["wordsim353.tsv", "simlex999.txt"])
@pytest.mark.parametrize("restrict_vocab", [300_000, 20_000])
def test_word_similarity_matches_gensim(glove, glove_kv, name, restrict_vocab):
    path = benchmark_file(name)
    ours = word_similarity(glove, path, restrict_vocab=restrict_vocab)
    pearson, spearman, oov_ratio = glove_kv.evaluate_word_pairs(path, restrict_vocab=restrict_vocab)
    assert ours.pearson == pytest.approx(pearson[0], abs=1e-6)
    assert ours.spearman == pytest.approx(spearman[0], abs=1e-6)
    assert ours.pearson_pvalue == pytest.approx(pearson[1], rel=1e-4)
    assert ours.oov_ratio == pytest.approx(oov_ratio)
    assert ours.pairs + ours.oov == 353 if name.startswith("wordsim") else 999


def test_word_similarity_dummy4unknown_matches_gensim(glove, glove_kv):
    path = benchmark_file("simlex999.txt")
    ours = word_similarity(glove, path, restrict_vocab=5000, dummy4unknown=True)
    _, spearman, oov_ratio = glove_kv.evaluate_word_pairs(
        path, restrict_vocab=5000, dummy4unknown=True
    )
    assert ours.oov > 100 and ours.pairs == 999
    assert ours.spearman == pytest.approx(spearman[0], abs=1e-6)
    assert ours.oov_ratio == pytest.approx(oov_ratio)


@pytest.mark.parametrize("dummy4unknown", [False, True])
def test_analogies_match_gensim_question_by_question(
    glove, glove_kv, question_sample, dummy4unknown
):
    ours = analogies(glove, question_sample, restrict_vocab=20_000, dummy4unknown=dummy4unknown)
    score, sections = glove_kv.evaluate_word_analogies(
        question_sample, restrict_vocab=20_000, dummy4unknown=dummy4unknown
    )
    assert ours.as_gensim() == (score, sections)
    assert [s.name for s in ours.sections][:2] == ["capital-common-countries", "capital-world"]
    assert ours.total.name == "Total accuracy" and ours.questions == 495
    assert ours.oov > 0


@pytest.mark.slow
def test_full_google_analogies_with_gensim_defaults(glove):
    """All 19,544 questions, restrict_vocab=300000: gensim 4.4.0 gave these numbers (223 s).

    Recorded with ``glove.to_gensim().evaluate_word_analogies(datapath("questions-words.txt"))``.
    """
    result = intrinsic.analogies(glove, benchmark_file("questions-words.txt"))
    expected = {
        "capital-common-countries": (401, 506),
        "capital-world": (3099, 4524),
        "currency": (73, 808),
        "city-in-state": (378, 2467),
        "family": (349, 506),
        "gram1-adjective-to-adverb": (151, 992),
        "gram2-opposite": (77, 812),
        "gram3-comparative": (690, 1332),
        "gram4-superlative": (321, 1122),
        "gram5-present-participle": (439, 1056),
        "gram6-nationality-adjective": (1376, 1599),
        "gram7-past-tense": (585, 1560),
        "gram8-plural": (798, 1332),
        "gram9-plural-verbs": (299, 870),
    }
    assert {s.name: (s.n_correct, s.n_questions) for s in result.sections} == expected
    assert result.accuracy == 0.463717540798522
    assert result.oov == 19544 - 19486


def test_3cosmul_evaluation_differs_and_is_scored(glove, question_sample):
    add = analogies(glove, question_sample, restrict_vocab=20_000)
    mul = analogies(glove, question_sample, restrict_vocab=20_000, method="3cosmul")
    assert mul.method == "3cosmul" and mul.total.n_questions == add.total.n_questions
    assert mul.accuracy > 0.4 and mul.total.correct != add.total.correct


def _tiny_vectors(words):
    rng = np.random.default_rng(0)
    return Vectors(words, rng.standard_normal((len(words), 8)).astype(np.float32))


def test_folding_first_occurrence_wins_and_matches_gensim(tmp_path):
    # "Paris" comes first, so the case-insensitive "PARIS" means row 0, as in gensim
    vectors = _tiny_vectors(["Paris", "paris", "france", "Rome", "italy", "berlin", "germany"])
    path = tmp_path / "pairs.tsv"
    path.write_text("paris\tfrance\t7\nrome\titaly\t6\nberlin\tgermany\t8\nPARIS\trome\t3\n")
    ours = word_similarity(vectors, path)
    pearson, _, _ = vectors.to_gensim().evaluate_word_pairs(path)
    assert ours.pearson == pytest.approx(pearson[0], abs=1e-6)
    sensitive = word_similarity(vectors, path, case_insensitive=False)
    assert sensitive.oov == 2  # "rome" and "PARIS" exist only in other cases


def test_folds_are_unicode_rules_not_locale_rules(tmp_path):
    vectors = _tiny_vectors(["straße", "ıi", "groß", "x"])
    path = tmp_path / "pairs.tsv"
    path.write_text("STRASSE\tx\t1\nII\tx\t2\nGROSS\tx\t3\n", encoding="utf8")
    # upper (gensim): straße -> STRASSE and ıi -> II match; lower: nothing matches those;
    # casefold: straße -> strasse = casefold("STRASSE")
    assert word_similarity(vectors, path, fold="upper").oov == 0
    assert word_similarity(vectors, path, fold="casefold").oov == 1  # "ıi" folds to itself
    with pytest.raises(DatasetError, match="no usable pair"):
        word_similarity(vectors, path, fold="lower")
    try:
        previous = locale.setlocale(locale.LC_ALL)
        locale.setlocale(locale.LC_ALL, "tr_TR.UTF-8")
    except locale.Error:
        pytest.skip("no Turkish locale installed to show it makes no difference")
    try:
        assert word_similarity(vectors, path, fold="upper").oov == 0
        assert word_similarity(vectors, path, fold="casefold").oov == 1
    finally:
        locale.setlocale(locale.LC_ALL, previous)


def test_malformed_files_name_the_line(tmp_path):
    vectors = _tiny_vectors(["a", "b", "c", "d"])
    no_header = tmp_path / "q.txt"
    no_header.write_text("a b c d\n")
    with pytest.raises(DatasetError, match=r"line 1: expected a ': section' header"):
        analogies(vectors, no_header)
    skipped = tmp_path / "q2.txt"
    skipped.write_text(": one\na b c d\na b c\n\nb a d c\n")
    result = analogies(vectors, skipped)
    assert result.skipped_lines == [3, 4] and result.questions == 2
    with pytest.raises(DatasetError, match="no such file"):
        word_similarity(vectors, tmp_path / "missing.tsv")
    garbage = tmp_path / "pairs.tsv"
    garbage.write_text("a b 3\n# comment\na\tb\tnot-a-number\n")
    with pytest.raises(DatasetError, match=r"found no usable pair \(0 out of vocabulary, 2"):
        word_similarity(vectors, garbage)


def test_results_serialise(glove, question_sample):
    import json

    result = analogies(glove, question_sample, restrict_vocab=5000)
    data = json.loads(result.to_json())
    assert data["correct"] == result.total.n_correct and len(data["sections"]) == 14
    assert data["sections"][0]["section"] == "capital-common-countries"
    pairs = word_similarity(glove, benchmark_file("wordsim353.tsv"), restrict_vocab=5000)
    assert json.loads(pairs.to_json())["oov"] == pairs.oov > 0


def test_the_public_module_is_intrinsic_not_evaluate():
    import nlptransfer

    assert intrinsic.word_similarity is word_similarity and intrinsic.analogies is analogies
    assert "intrinsic" in nlptransfer.__all__ and "evaluate" not in nlptransfer.__all__
    assert not hasattr(nlptransfer, "evaluate")


@pytest.mark.parametrize("content", ["", ": empty section\n", ": s\na b c\n"])
def test_an_analogy_file_without_questions_is_refused(tmp_path, content):
    path = tmp_path / "questions.txt"
    path.write_text(content)
    with pytest.raises(DatasetError, match=r"expected analogy questions.*found none"):
        analogies(_tiny_vectors(["a", "b", "c", "d"]), path)
