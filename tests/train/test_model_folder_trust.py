"""A model folder's files must agree with each other, or loading it is refused (issue 23, item 10):
a shortened vocab.json used to load and predict with every token reading another token's row."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nlptransfer import TextClassifierPipeline, Vocab, get_tokenizer, load_classifier
from nlptransfer.errors import NLPTransferError
from nlptransfer.nn import PretrainedEmbedding, build_classifier


@pytest.fixture
def folder(tmp_path):
    vocab = Vocab.build([["good", "bad", "film", "plot", "dull"]])
    rng = np.random.default_rng(0)
    embedding = PretrainedEmbedding(
        rng.normal(size=(len(vocab), 4)).astype("f"), np.ones(len(vocab), bool)
    )
    model = build_classifier("nbow", embedding, num_classes=2, hidden=None)
    pipeline = TextClassifierPipeline(get_tokenizer("whitespace"), vocab, model, ["neg", "pos"])
    return pipeline.save(tmp_path / "model")


def test_an_intact_folder_loads(folder):
    assert load_classifier(folder).label_names == ["neg", "pos"]


def test_a_shortened_vocabulary_is_refused(folder):
    path = folder / "vocab.json"
    data = json.loads(path.read_text())
    dropped = data["tokens"].pop()  # the last token: every other one keeps its id
    data["counts"].pop(dropped, None)
    path.write_text(json.dumps(data))
    with pytest.raises(
        NLPTransferError, match=r"vocab.json: expected 7 tokens, one per embedding row"
    ):
        load_classifier(folder)


def test_labels_that_do_not_match_the_outputs_are_refused(folder):
    path = folder / "config.json"
    config = json.loads(path.read_text())
    config["labels"] = ["neg", "neutral", "pos"]
    path.write_text(json.dumps(config))
    with pytest.raises(NLPTransferError, match="expected 2 label names, one per output"):
        load_classifier(folder)


def test_weights_of_another_shape_are_refused(folder):
    path = folder / "config.json"
    config = json.loads(path.read_text())
    config["embedding"]["dim"] = 8
    path.write_text(json.dumps(config))
    with pytest.raises(NLPTransferError, match=r"model.safetensors: expected the weights"):
        load_classifier(folder)
