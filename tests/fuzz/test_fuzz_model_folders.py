"""Fuzz model folders (issue 23): a saved classifier's ``config.json``, ``vocab.json`` or
``model.safetensors``, mutated, either loads and predicts (finite probabilities, a label of its
own) within the deadline, or is refused with an ``NLPTransferError`` naming a file of the folder."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from nlptransfer.errors import NLPTransferError
from tests.fuzz.harness import deadline, loaded, refused, run_property
from tests.fuzz.mutations import HEAD_BIASED, mutate

pytest.importorskip("torch")
pytest.importorskip("safetensors")

FILES = ["config.json", "vocab.json", "model.safetensors"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    from nlptransfer import TextClassifierPipeline, Vocab, get_tokenizer
    from nlptransfer.nn import PretrainedEmbedding, build_classifier

    vocab = Vocab.build([["a", "fine", "film", "dull", "plot", "good", "bad"]])
    rng = np.random.default_rng(0)
    embedding = PretrainedEmbedding(
        rng.normal(size=(len(vocab), 8)).astype("f"), np.ones(len(vocab), bool)
    )
    model = build_classifier("cnn", embedding, num_classes=2, filters=4, windows=[2, 3])
    pipeline = TextClassifierPipeline(
        get_tokenizer("regex", pattern=r"\w+"), vocab, model, ["neg", "pos"]
    )
    return pipeline.save(tmp_path_factory.mktemp("model") / "model")


def test_mutated_model_folders(saved, tmp_path):
    from nlptransfer import load_classifier

    folder = tmp_path / "model"
    shutil.copytree(saved, folder)
    seeds = {name: (saved / name).read_bytes() for name in FILES}

    @given(which=st.sampled_from(FILES), mutations=HEAD_BIASED)
    @example(which="config.json", mutations=[("truncate", 0.5, b"")])  # JSONDecodeError
    @example(which="config.json", mutations=[("insert", 0.7265625, b" ")])  # tokenizer "reg ex"
    @example(which="model.safetensors", mutations=[("overwrite", 0.0, b"\xff")])  # Safetensor
    @example(which="vocab.json", mutations=[("insert", 0.03125, b" ")])  # "for mat": unnamed
    @example(which="model.safetensors", mutations=[("overwrite", 0.40625, b"\x7f")])  # NaN
    @example(which="config.json", mutations=[("insert", 0.1171875, b"\xc2\x80")])  # "c\x80nn"
    def run(which, mutations):
        for name, data in seeds.items():
            (folder / name).write_bytes(mutate(data, mutations) if name == which else data)
        try:
            with deadline():
                pipeline = load_classifier(folder)
                predictions = pipeline.predict(["a fine film", "dull plot"])
        except NLPTransferError as error:
            refused("model-folder", error, folder)
            return
        assert all(p.label in pipeline.label_names for p in predictions)
        assert all(np.isfinite(list(p.probabilities.values())).all() for p in predictions)
        loaded("model-folder", "loaded-checked")

    run_property(run)
