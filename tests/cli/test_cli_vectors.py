"""The `nlptransfer vectors` commands, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
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
