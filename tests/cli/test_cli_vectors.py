"""The `nlptransfer vectors` commands, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from nlptransfer import load_vectors
from nlptransfer.cli.main import app
from tests.conftest import gensim_data

runner = CliRunner()


def test_info_json():
    result = runner.invoke(app, ["vectors", "info", str(gensim_data("lee_fasttext.vec")), "--json"])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert facts["format"] == "word2vec-text" and facts["words"] == 1762 and facts["dim"] == 10
    assert facts["sample"][:2] == ["the", "to"]


def test_info_table_for_named_vectors():
    result = runner.invoke(app, ["vectors", "info", "glove-6b-50d"])
    assert result.exit_code == 0, result.output
    assert "400,000" in result.stdout and "memory-mapped" in result.stdout


def test_convert_every_format_round_trips(tmp_path):
    source = gensim_data("crime-and-punishment.vec")
    original = load_vectors(source)
    for to, name in [
        ("native", "out"),
        ("word2vec-bin", "out.bin"),
        ("word2vec-text", "out.vec"),
        ("glove", "out.txt"),
    ]:
        result = runner.invoke(
            app, ["vectors", "convert", str(source), str(tmp_path / name), "--to", to]
        )
        assert result.exit_code == 0, result.output
        written = tmp_path / (name + ".ntv" if to == "native" else name)
        again = load_vectors(written)
        assert again.words == original.words
        np.testing.assert_array_equal(again.matrix, original.matrix)


def test_convert_to_a_spacy_pipeline(tmp_path):
    spacy = pytest.importorskip("spacy")
    words = tmp_path / "words.txt"
    words.write_text("king\nqueen\napple\n", encoding="utf-8")
    out = tmp_path / "pipeline"
    result = runner.invoke(
        app,
        ["vectors", "convert", "glove-6b-50d", str(out), "--to", "spacy", "--vocab", str(words)],
    )
    assert result.exit_code == 0, result.output
    assert f"wrote 3 x 50 vectors as spacy to {out}\n" in result.output
    nlp = spacy.load(out)
    glove = load_vectors("glove-6b-50d", vocab={"king", "queen", "apple"})
    for word in glove.words:
        np.testing.assert_array_equal(nlp.vocab[word].vector, glove[word])
    result = runner.invoke(app, ["vectors", "info", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["format"] == "spacy"
    result = runner.invoke(
        app, ["vectors", "convert", str(out), str(tmp_path / "de"), "--to", "spacy", "--lang", "de"]
    )
    assert result.exit_code == 0, result.output
    assert spacy.load(tmp_path / "de").lang == "de"


def test_convert_keeps_only_the_words_asked_for(tmp_path):
    source = gensim_data("crime-and-punishment.vec")
    original = load_vectors(source)
    kept = [original.words[5], original.words[0], original.words[40]]
    words = tmp_path / "words.txt"
    words.write_text(f"{kept[0]}\n\n{kept[1]}\nzzz-not-there\n{kept[2]}\n", encoding="utf-8")
    result = runner.invoke(
        app, ["vectors", "convert", str(source), str(tmp_path / "small"), "--vocab", str(words)]
    )
    assert result.exit_code == 0, result.output
    assert "1 of the words asked for are not in" in result.output
    # messages are not broken at the terminal's width: the path stays whole for scripts
    assert f"to {tmp_path / 'small.ntv'}\n" in result.output
    small = load_vectors(tmp_path / "small.ntv")
    assert small.words == sorted(kept, key=original.words.index)  # the source's order
    for word in kept:
        np.testing.assert_array_equal(small[word], original[word])

    # --vocab-of: the same words as another vectors file, here the one just written
    result = runner.invoke(
        app,
        [
            *("vectors", "convert", str(source), str(tmp_path / "same.vec")),
            *("--to", "word2vec-text", "--vocab-of", str(tmp_path / "small.ntv")),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "not in" not in result.output
    assert load_vectors(tmp_path / "same.vec").words == small.words


def _flat(output: str) -> str:
    """A usage error's message as one line: rich wraps it in a box, at any width."""
    return "".join(output.replace("│", " ").split())


def test_convert_vocab_errors(tmp_path):
    source = str(gensim_data("lee_fasttext.vec"))
    words = tmp_path / "words.txt"
    words.write_text("the\n")
    both = ["--vocab", str(words), "--vocab-of", source]
    result = runner.invoke(app, ["vectors", "convert", source, str(tmp_path / "x"), *both])
    assert result.exit_code != 0 and "not both" in result.output
    missing = ["--vocab", str(tmp_path / "nope.txt")]
    result = runner.invoke(app, ["vectors", "convert", source, str(tmp_path / "x"), *missing])
    assert result.exit_code != 0 and "nope.txt" in _flat(result.output)
    words.write_bytes(b"the\ncaf\xe9\n")  # Latin-1
    result = runner.invoke(
        app, ["vectors", "convert", source, str(tmp_path / "x"), "--vocab", str(words)]
    )
    assert result.exit_code != 0 and "notUTF-8(byteoffset7)" in _flat(result.output)
    assert not (tmp_path / "x.ntv").exists()


def test_convert_takes_a_format_alias_as_format_does(tmp_path):
    source = gensim_data("lee_fasttext.vec")
    out = tmp_path / "out.vec"
    result = runner.invoke(app, ["vectors", "convert", str(source), str(out), "--to", "vec"])
    assert result.exit_code == 0, result.output
    assert load_vectors(out).words == load_vectors(source).words
    assert out.read_bytes().split(b"\n", 1)[0].count(b" ") == 1  # a word2vec text header


def test_convert_rejects_unknown_target(tmp_path):
    result = runner.invoke(
        app,
        [
            "vectors",
            "convert",
            str(gensim_data("lee_fasttext.vec")),
            str(tmp_path / "x"),
            "--to",
            "pdf",
        ],
    )
    assert result.exit_code != 0 and "pdf" in result.output


def test_neighbors_json():
    result = runner.invoke(
        app, ["vectors", "neighbors", "glove-6b-50d", "king", "qqqzzzunknown", "-k", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [n["word"] for n in payload["neighbors"]["king"]] == ["prince", "queen", "ii"]
    assert payload["unknown"] == ["qqqzzzunknown"]


def test_errors_are_one_line_and_exit_1(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("hello 1.0 2.0\nworld 1.0\n")
    proc = subprocess.run(
        [sys.executable, "-m", "nlptransfer", "vectors", "info", str(bad)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "error:" in proc.stderr and "line 2" in proc.stderr and "Traceback" not in proc.stderr


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and "nlptransfer" in result.stdout
