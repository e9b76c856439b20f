"""`nlptransfer vectors neighbors | similarity | analogy | evaluate | coverage`, as users run them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from nlptransfer import load_vectors
from nlptransfer.cli.main import app
from nlptransfer.vectors.intrinsic import benchmark_file
from tests.conftest import gensim_data, skip_unless_installed

runner = CliRunner()


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, ["vectors", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_neighbors_json_shape_and_restrict_vocab():
    payload = _json(["neighbors", "glove-6b-50d", "king", "qqqzzzunknown", "-k", "2"])
    assert payload["neighbors"]["king"] == [
        {"word": "prince", "cosine": pytest.approx(0.823618, abs=1e-5)},
        {"word": "queen", "cosine": pytest.approx(0.783904, abs=1e-5)},
    ]
    assert payload["unknown"] == ["qqqzzzunknown"]
    small = _json(["neighbors", "glove-6b-50d", "king", "-k", "3", "--restrict-vocab", "500"])
    glove = load_vectors("glove-6b-50d")
    assert all(glove.index(hit["word"]) < 500 for hit in small["neighbors"]["king"])


def test_neighbors_table():
    result = runner.invoke(app, ["vectors", "neighbors", "glove-6b-50d", "frog", "-k", "3"])
    assert result.exit_code == 0, result.output
    assert "nearest to 'frog'" in result.stdout and "snake" in result.stdout


def test_similarity_pairs_and_unknown_words():
    payload = _json(["similarity", "glove-6b-50d", "cat", "dog", "car", "qqqzzzunknown"])
    assert payload["pairs"][0] == {
        "a": "cat",
        "b": "dog",
        "cosine": pytest.approx(0.9218, abs=1e-4),
    }
    assert payload["pairs"][1]["cosine"] is None and payload["unknown"] == ["qqqzzzunknown"]
    odd = runner.invoke(app, ["vectors", "similarity", "glove-6b-50d", "cat", "dog", "car"])
    assert odd.exit_code != 0 and "even number" in odd.output


def test_analogy_both_methods():
    add = _json(["analogy", "glove-6b-50d", "man", "king", "woman", "-k", "3"])
    assert add["question"] == ["man", "king", "woman"] and add["answers"][0]["word"] == "queen"
    mul = _json(["analogy", "glove-6b-50d", "paris", "france", "rome", "--method", "3cosmul"])
    assert mul["method"] == "3cosmul" and mul["answers"][0]["word"] == "italy"
    bad = runner.invoke(app, ["vectors", "analogy", "glove-6b-50d", "a", "b", "c", "--method", "x"])
    assert bad.exit_code != 0 and "3cosmul" in bad.output


def test_evaluate_json_on_the_standard_files(tmp_path):
    questions = benchmark_file("questions-words.txt").read_text(encoding="utf8").splitlines()
    sample = tmp_path / "questions.txt"
    sample.write_text("\n".join(questions[:400]) + "\n", encoding="utf8")
    payload = _json(
        [
            "evaluate",
            "glove-6b-50d",
            "--pairs",
            str(benchmark_file("wordsim353.tsv")),
            "--analogies",
            str(sample),
        ]
    )
    assert payload["word_similarity"][0]["spearman"] == pytest.approx(0.503320, abs=1e-5)
    (section,) = payload["analogies"][0]["sections"]
    assert section["section"] == "capital-common-countries" and section["questions"] == 399


def test_evaluate_defaults_to_gensims_files_as_a_table():
    skip_unless_installed("gensim")  # the default files ship with it
    result = runner.invoke(app, ["vectors", "evaluate", "glove-6b-50d", "--restrict-vocab", "3000"])
    assert result.exit_code == 0, result.output
    for expected in ("wordsim353.tsv", "simlex999.txt", "questions-words.txt", "Total accuracy"):
        assert expected in result.stdout


def test_coverage_of_a_kim_file(shared_file):
    path = shared_file("kim2014/stsa.binary.dev")
    payload = _json(["coverage", "glove-6b-50d", str(path), "--top", "5"])
    assert payload["examples"] == 872 and len(payload["missing"]) == 5
    assert payload["rules"]["ptb"]["tokens"] > 0
    assert "0" not in [m["word"] for m in payload["missing"]]  # labels are not tokens
    table = runner.invoke(app, ["vectors", "coverage", "glove-6b-50d", str(path)])
    assert table.exit_code == 0 and "most frequent missing" in table.stdout


def test_coverage_by_token_vectors_is_complete_with_their_tokenizer(shared_file):
    from tests.static_models import wordllama_files

    wordllama_files()  # skips without the wordllama extra
    path = shared_file("kim2014/TREC.test.all")
    payload = _json(["coverage", "wordllama-l2-256", str(path)])
    assert payload["tokens"] > 3000 and payload["covered_tokens"] == payload["tokens"]
    assert payload["missing"] == []
    words = _json(["coverage", "wordllama-l2-256", str(path), "--tokenizer", "whitespace"])
    assert words["covered_tokens"] < words["tokens"]  # whole words are not always its tokens


def test_coverage_of_plain_lines_with_subwords_and_chosen_rules(tmp_path):
    data = tmp_path / "texts.txt"
    data.write_text("The government said\n\nunheardofword police\n", encoding="utf8")
    vectors = str(gensim_data("lee_fasttext_new.bin"))
    payload = _json(["coverage", vectors, str(data)])
    assert payload["examples"] == 2 and payload["token_coverage"] == 1.0
    assert payload["rules"]["subword"]["types"] == 1
    exact_only = _json(["coverage", vectors, str(data), "--rules", "exact"])
    assert list(exact_only["rules"]) == ["exact"] and exact_only["missing_types"] >= 1
    bad = runner.invoke(app, ["vectors", "coverage", vectors, str(data), "--rules", "exact,nope"])
    assert bad.exit_code != 0 and "nope" in bad.output
