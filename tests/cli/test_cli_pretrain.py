"""`nlptransfer pretrain`, run as a user runs it, on real IMDB reviews."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from nlptransfer import load_vectors
from nlptransfer.cli.main import app
from nlptransfer.errors import CorpusNotFoundError
from tests.conftest import skip_unless_installed
from tests.vectors.imdb_text import truncated, write_imdb_corpus

skip_unless_installed("gensim")

runner = CliRunner()
NLPTRANSFER = [sys.executable, "-m", "nlptransfer"]


def test_pretrain_fasttext_with_exports(shared_file, tmp_path):
    first = write_imdb_corpus(shared_file, tmp_path / "part1.txt.gz", 300, gz=True)
    second = write_imdb_corpus(shared_file, tmp_path / "part2.txt", 300, skip=300)
    out = tmp_path / "vectors" / "imdb-ft"
    args = ["pretrain", "--corpus", str(first), "--corpus", str(second), "--out", str(out)]
    args += ["--algorithm", "fasttext", "--dim", "12", "--epochs", "1", "--min-count", "3"]
    args += ["--bucket", "10000", "--tokenizer", "regex", "--workers", "2"]
    args += ["--export", "fasttext-bin", "--export", "word2vec-text"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "with subword n-grams" in result.stdout and "600 documents" in result.stdout
    vectors = load_vectors(tmp_path / "vectors" / "imdb-ft.ntv")
    assert vectors.has_subwords and vectors.dim == 12 and "movie" in vectors
    assert "unwatchablest" not in vectors and np.linalg.norm(vectors.vector("unwatchablest")) > 0
    from_bin = load_vectors(tmp_path / "vectors" / "imdb-ft.fasttext.bin")
    np.testing.assert_array_equal(from_bin.vector("unwatchablest"), vectors.vector("unwatchablest"))
    from_vec = load_vectors(tmp_path / "vectors" / "imdb-ft.vec")
    assert from_vec.words == vectors.words
    files = vectors.meta["pretrain"]["corpus"]["files"]
    assert files == [str(first), str(second)]


def test_pretrain_adapting_glove_json(shared_file, tmp_path):
    corpus = write_imdb_corpus(shared_file, tmp_path / "c.txt", 200)
    out = tmp_path / "adapted"
    args = ["pretrain", "-c", str(corpus), "-o", str(out), "--init", "glove-6b-50d"]
    args += ["--epochs", "1", "--tokenizer", "regex", "--corpus-words-only", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["dim"] == 50 and record["init"]["source"] == "glove-6b-50d"
    assert record["init"]["kept_words"] == 0 and record["init"]["shared_words"] > 500
    assert len(load_vectors(record["store"])) == record["corpus"]["vocabulary"]


def test_missing_corpus_fails_before_any_work(tmp_path):
    missing = tmp_path / "missing.txt"
    result = runner.invoke(
        app, ["pretrain", "--corpus", str(missing), "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 1 and isinstance(result.exception.__cause__, CorpusNotFoundError)
    assert "missing.txt: expected a corpus file, found no such file" in result.output
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_bad_corpus_is_one_line_and_exit_1(shared_file, tmp_path):
    good = write_imdb_corpus(shared_file, tmp_path / "good.txt.gz", 200, gz=True)
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(truncated(good.read_bytes()))
    proc = subprocess.run(
        [*NLPTRANSFER, "-q", "pretrain", "--corpus", str(cut), "--out", str(tmp_path / "x")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stderr
    assert "error:" in proc.stderr and "cut.txt.gz, line" in proc.stderr
    assert "truncated" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.ntv").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left
