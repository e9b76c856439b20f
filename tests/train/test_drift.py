"""Drift of a real fine-tuned classifier (SST-2 sentences, GloVe 50d): what moved, neighbours."""

from __future__ import annotations

import numpy as np
import pytest

from nlptransfer import load_vectors
from nlptransfer.errors import NLPTransferError
from nlptransfer.train.classify import train_classifier
from nlptransfer.train.drift import embedding_drift, folder_drift
from nlptransfer.train.trainer import TrainConfig
from tests.conftest import read_kim


@pytest.fixture(scope="module")
def glove():
    return load_vectors("glove-6b-50d")


@pytest.fixture(scope="module")
def folders(shared_file, glove, tmp_path_factory):
    """An NBoW fine-tuned and one frozen on 1,500 SST-2 sentences, saved."""
    train = read_kim(shared_file("kim2014/stsa.binary.train"), 1500)
    dev = read_kim(shared_file("kim2014/stsa.binary.dev"), 300)
    out = {}
    for mode in ("finetune", "frozen"):
        folder = tmp_path_factory.mktemp("drift") / mode
        train_classifier(
            train,
            label_names=["negative", "positive"],
            vectors=glove,
            dev=dev,
            model="nbow",
            mode=mode,
            tokenizer="whitespace",
            train_config=TrainConfig(epochs=3, optimizer="adam", lr=1e-2, seed=0, progress=False),
            out=folder,
        )
        out[mode] = folder
    return out


def test_fine_tuned_words_moved_and_before_is_glove(folders, glove):
    drift = folder_drift(folders["finetune"], top=5, k=3, min_count=5)
    assert drift.pretrained_rows > 1000
    assert len(drift.words) == 5 and all(w.count >= 5 for w in drift.words)
    distances = [w.distance for w in drift.words]
    assert distances == sorted(distances, reverse=True) and distances[0] > drift.mean_distance > 0
    # the probes are Kim's words this vocabulary has ("n't" is split off by no whitespace text)
    probes = {w.word: w for w in drift.probes}
    assert {"bad", "good", ","} <= set(probes)
    # "before" is GloVe itself: the nearest neighbours of "bad" among the same words by GloVe's rows
    bad = probes["bad"]
    candidates = [w for w, _ in bad.before] + [w for w, _ in bad.after]
    sims = {
        w: float(glove["bad"] @ glove[w] / np.linalg.norm(glove["bad"]) / np.linalg.norm(glove[w]))
        for w in candidates
    }
    for word, similarity in bad.before:
        assert similarity == pytest.approx(sims[word], abs=1e-5)
    assert bad.before != bad.after  # fine-tuning changed the neighbourhood


def test_model_card_has_the_drift_section_only_when_fine_tuned(folders):
    card = (folders["finetune"] / "README.md").read_text(encoding="utf-8")
    assert "## What fine-tuning changed" in card and "| `bad` |" in card
    assert "What fine-tuning changed" not in (folders["frozen"] / "README.md").read_text()


def test_a_frozen_model_has_no_drift_and_says_so(folders, tmp_path):
    with pytest.raises(NLPTransferError, match=r"'frozen'.*no pretrained vector moved"):
        folder_drift(folders["frozen"])
    with pytest.raises(NLPTransferError, match="expected a model folder"):
        folder_drift(tmp_path)


def test_rows_never_seen_in_training_are_not_ranked():
    words = ["<pad>", "<unk>", "seen", "unseen", "other"]
    start = np.eye(5, 3, dtype=np.float32) + 0.1
    tuned = start.copy()
    tuned[3] = -tuned[3]  # only the unseen word "moved" (it cannot have: it was never trained)
    tuned[2] += 0.5
    mask = np.array([False, False, True, True, True])
    drift = embedding_drift(
        start, tuned, words, mask, counts={"seen": 9, "other": 9, "unseen": 1}, min_count=5
    )
    assert [w.word for w in drift.words] == ["seen", "other"]
    with pytest.raises(ValueError, match="matching shapes"):
        embedding_drift(start, tuned[:4], words, mask)
