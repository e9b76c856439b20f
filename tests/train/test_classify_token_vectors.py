"""A classifier on token vectors (WordLlama) splits its texts with their tokenizer, by itself."""

from __future__ import annotations

import json
import logging
import shutil

import numpy as np
import pytest

from nlptransfer import load_classifier, load_vectors
from nlptransfer.text.hf_tokenizer import HFTokenizer
from nlptransfer.train.classify import train_classifier
from nlptransfer.train.trainer import TrainConfig
from tests.conftest import read_kim, skip_unless_installed
from tests.static_models import wordllama_files

skip_unless_installed("tokenizers")
wordllama_files()  # skips without the wordllama package

CONFIG = TrainConfig(epochs=2, optimizer="adam", lr=0.01, seed=0, progress=False)


@pytest.fixture(scope="module")
def sst2(shared_file):
    return (
        read_kim(shared_file("kim2014/stsa.binary.train"), 400),
        read_kim(shared_file("kim2014/stsa.binary.dev"), 200),
    )


@pytest.fixture(scope="module")
def wordllama():
    return load_vectors("wordllama-l2-256")


def test_the_vectors_tokenizer_is_used_and_every_token_has_a_row(sst2, wordllama, tmp_path, caplog):
    train, dev = sst2
    with caplog.at_level(logging.INFO, logger="nlptransfer.train.classify"):
        run = train_classifier(
            train,
            label_names=["negative", "positive"],
            vectors=wordllama,
            dev=dev,
            test=dev,
            model="nbow",
            mode="frozen",
            train_config=CONFIG,
            out=tmp_path / "model",
        )
    assert (
        "tokenizing with the tokenizer that comes with the vectors wordllama-l2-256" in caplog.text
    )
    tokenizer = run.pipeline.tokenizer
    assert isinstance(tokenizer, HFTokenizer)
    assert tokenizer.sha256 == wordllama.tokenizer().sha256
    vocab = run.pipeline.vocab
    assert "▁movie" in vocab.tokens and "movie" not in vocab.tokens[:50]
    # coverage is complete by construction: every row but padding is pretrained (the Llama
    # tokenizer's own <unk> gives the unknown row its vector)
    mask = np.asarray(run.pipeline.model.embedding.pretrained_mask)
    assert not mask[0] and mask[1:].all() and run.metrics["pretrained_rows"] == len(vocab) - 1

    folder = tmp_path / "moved"  # the folder keeps its tokenizer.json, wherever it goes
    shutil.copytree(run.folder, folder)
    shutil.rmtree(run.folder)
    config = json.loads((folder / "config.json").read_text())
    assert config["tokenizer"]["name"] == "hf" and config["tokenizer"]["path"] == "tokenizer.json"
    assert (folder / "tokenizer.json").read_text(encoding="utf-8") == tokenizer.tokenizer_json
    again = load_classifier(folder)
    assert again.tokenizer("a witty film") == tokenizer("a witty film")
    np.testing.assert_allclose(
        again.predict_proba(dev[0][:20]), run.pipeline.predict_proba(dev[0][:20]), rtol=1e-6
    )


def test_naming_another_tokenizer_is_obeyed_with_a_warning(sst2, wordllama, caplog):
    train, _ = sst2
    with caplog.at_level(logging.WARNING, logger="nlptransfer.train.classify"):
        run = train_classifier(
            train,
            label_names=["negative", "positive"],
            vectors=wordllama,
            model="nbow",
            mode="frozen",
            tokenizer="whitespace",
            train_config=TrainConfig(epochs=1, progress=False),
        )
    assert run.pipeline.tokenizer.name == "whitespace"
    assert "are token vectors made for their own tokenizer" in caplog.text
    # whole words are seldom Llama tokens: most of the vocabulary has no pretrained row
    assert run.metrics["pretrained_rows"] < len(run.pipeline.vocab) / 2
