"""The Trainer's optimisers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nlptransfer.nn.classifiers import build_classifier
from nlptransfer.nn.embedding import PretrainedEmbedding
from nlptransfer.train.trainer import TrainConfig, Trainer


def model() -> torch.nn.Module:
    rows = np.random.default_rng(0).normal(size=(12, 6)).astype(np.float32)
    embedding = PretrainedEmbedding(rows, np.ones(12, bool), mode="finetune")
    return build_classifier("cnn", embedding, num_classes=2, filters=4, dropout=0.0)


@pytest.mark.parametrize("name", ["adam", "adamw"])
def test_adam_uses_the_fused_kernel_on_cpu_and_steps_like_the_plain_loop(name):
    trainer = Trainer(model(), TrainConfig(optimizer=name, device="cpu", progress=False))
    fused = trainer._optimizer()
    assert fused.defaults["fused"] is True
    plain_model = model()
    plain_model.load_state_dict(trainer.model.state_dict())
    plain_class = torch.optim.Adam if name == "adam" else torch.optim.AdamW
    plain = plain_class(plain_model.parameters(), lr=1e-3, weight_decay=0.0)
    ids = torch.tensor([[1, 2, 3, 4, 5], [6, 7, 8, 0, 0]])
    for net, optimizer in ((trainer.model, fused), (plain_model, plain)):
        for _ in range(3):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(ids), torch.tensor([0, 1])).backward()
            optimizer.step()
    for tuned, reference in zip(trainer.model.parameters(), plain_model.parameters(), strict=True):
        torch.testing.assert_close(tuned, reference)


def test_the_default_optimizer_is_adam_at_1e3_and_adadelta_keeps_kims_settings():
    # Adam beat Kim's Adadelta on SST-2 over 5 seeds, frozen and fine-tuned
    # (configs/sst2-adadelta.yaml against configs/kim2014.yaml), so it is the default.
    default = Trainer(model(), TrainConfig(device="cpu", progress=False))._optimizer()
    assert isinstance(default, torch.optim.Adam)
    assert default.defaults["lr"] == pytest.approx(1e-3)
    kim = Trainer(model(), TrainConfig(optimizer="adadelta", device="cpu"))._optimizer()
    assert isinstance(kim, torch.optim.Adadelta)
    assert (kim.defaults["lr"], kim.defaults["rho"], kim.defaults["eps"]) == (1.0, 0.95, 1e-6)


def toy_data(n: int, seed: int) -> tuple[list[np.ndarray], list[int]]:
    """Label 1 when token 1 occurs: a pattern a small CNN learns in a few epochs."""
    rng = np.random.default_rng(seed)
    ids = [rng.integers(2, 12, size=int(rng.integers(3, 9))) for _ in range(n)]
    labels = [int(i % 2) for i in range(n)]
    for seq, label in zip(ids, labels, strict=True):
        if label:
            seq[rng.integers(len(seq))] = 1
    return ids, labels


def test_monitored_sets_are_scored_every_epoch_without_changing_the_run():
    train, dev, held_out = toy_data(60, 0), toy_data(20, 1), toy_data(30, 2)
    config = TrainConfig(epochs=3, patience=None, seed=0, device="cpu", progress=False)

    def fit(monitor):
        torch.manual_seed(0)
        trainer = Trainer(model(), config)
        return trainer, trainer.fit(*train, *dev, monitor=monitor)

    _, plain = fit(None)
    trainer, watched = fit({"held_out": held_out})
    # Scoring another set draws no random numbers: the run is the one it would have been.
    assert [r.dev for r in watched.history] == [r.dev for r in plain.history]
    assert [r.train_loss for r in watched.history] == [r.train_loss for r in plain.history]
    assert all(r.monitored == {} for r in plain.history)
    scores = [r.monitored["held_out"] for r in watched.history]
    assert all(set(s) == {"accuracy", "macro_f1"} for s in scores)
    # The weights kept are the best dev epoch's: the record of that epoch is what they score.
    kept = trainer.evaluate(*held_out)
    best = scores[watched.best_epoch]
    assert (best["accuracy"], best["macro_f1"]) == (kept["accuracy"], kept["macro_f1"])


def test_a_monitored_set_with_mismatched_labels_is_refused():
    train = toy_data(10, 0)
    trainer = Trainer(model(), TrainConfig(epochs=1, device="cpu", progress=False))
    with pytest.raises(ValueError, match="'extra': 3 sequences but 2 labels"):
        trainer.fit(*train, monitor={"extra": (train[0][:3], train[1][:2])})
