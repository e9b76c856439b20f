"""Serving a trained classifier: a tiny model trained on real SST-2 sentences, once a session,
skipped where the extras are not installed (the core install, `make test-core`)."""

from __future__ import annotations

import pytest

from tests.conftest import read_kim, skip_unless_installed

skip_unless_installed("torch", "safetensors", "fastapi", "uvicorn", "httpx")


@pytest.fixture(scope="session")
def tiny_model(shared_file, tmp_path_factory):
    """A bag-of-words classifier folder trained in seconds on 600 SST-2 sentences."""
    from nlptransfer.train.classify import train_classifier
    from nlptransfer.train.trainer import TrainConfig

    train = read_kim(shared_file("kim2014/stsa.binary.train"), 600)
    dev = read_kim(shared_file("kim2014/stsa.binary.dev"), 200)
    folder = tmp_path_factory.mktemp("serve") / "sst2-nbow"
    train_classifier(
        train,
        label_names=["negative", "positive"],
        vectors=None,
        dev=dev,
        test=dev,
        model="nbow",
        mode="random",
        tokenizer="whitespace",
        train_config=TrainConfig(epochs=2, lr=3e-3, seed=0, progress=False),
        out=folder,
        info={"dataset": {"name": "sst2"}},
    )
    return folder
