"""Hostile files through the real command line, in a subprocess (issue 23, item 7): each is one
line, ``error: FILE...``, exit status 1, never a traceback or a bare ``Aborted.``."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from tests.conftest import gensim_data


def run_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nlptransfer", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )


def assert_one_line(done: subprocess.CompletedProcess, *expected: str) -> None:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 1, done.stderr[-3000:]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "bug in nlptransfer" not in done.stderr
    for text in expected:
        assert text in lines[0], lines[0]


@pytest.fixture(scope="module")
def glove_text() -> bytes:
    return gensim_data("test_glove.txt").read_bytes()


def test_truncated_zip_and_gzip_vectors(tmp_path, glove_text):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("v.txt", glove_text)
    cut_zip = tmp_path / "cut.zip"
    cut_zip.write_bytes(buffer.getvalue()[:200])
    assert_one_line(run_cli("vectors", "info", str(cut_zip)), str(cut_zip), "zip")
    cut_gz = tmp_path / "cut.txt.gz"
    cut_gz.write_bytes(gzip.compress(glove_text)[:500])
    assert_one_line(run_cli("vectors", "info", str(cut_gz)), str(cut_gz), "byte offset")


@pytest.fixture
def model_folder(tmp_path):
    pytest.importorskip("torch")
    from nlptransfer import TextClassifierPipeline, Vocab, get_tokenizer
    from nlptransfer.nn import PretrainedEmbedding, build_classifier

    vocab = Vocab.build([["good", "bad", "film"]])
    embedding = PretrainedEmbedding(np.ones((len(vocab), 4), "f"), np.ones(len(vocab), bool))
    model = build_classifier("nbow", embedding, num_classes=2, hidden=None)
    pipeline = TextClassifierPipeline(get_tokenizer("whitespace"), vocab, model, ["neg", "pos"])
    return pipeline.save(tmp_path / "model")


def _edit(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_tampered_model_folders_through_predict(model_folder):
    config = model_folder / "config.json"
    original = config.read_text()
    config.write_text(original[:-20])
    assert_one_line(run_cli("predict", str(model_folder), "-t", "good"), str(config), "JSON")
    config.write_text(original)
    _edit(config, lambda c: c.update(tokenizer={"name": "regex", "pattern": "(a+)+$"}))
    assert_one_line(run_cli("predict", str(model_folder), "-t", "aaaa"), "(a+)+$")
    config.write_text(original)
    vocab = model_folder / "vocab.json"
    _edit(vocab, lambda v: v["tokens"].insert(2, v["tokens"].pop()))
    assert_one_line(run_cli("predict", str(model_folder), "-t", "good"), str(vocab), "order")


def test_an_alias_bomb_under_dry_run(tmp_path):
    pytest.importorskip("yaml")
    pytest.importorskip("torch")  # the bench command's extra
    from tests.bench.test_schema_yaml import alias_bomb

    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb("seeds"))
    assert_one_line(run_cli("bench", str(path), "--dry-run"), str(path), "alias bomb")
