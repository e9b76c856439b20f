"""Classifiers: shapes, padding invariance, multichannel, constraints, option errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nlptransfer import load_vectors
from nlptransfer.nn.classifiers import build_classifier
from nlptransfer.nn.embedding import PretrainedEmbedding
from tests.conftest import gensim_data


@pytest.fixture(scope="module")
def rows():
    glove = load_vectors(gensim_data("test_glove.txt"))
    matrix = np.vstack([np.zeros((2, 50), np.float32), glove.matrix[:30]])
    return matrix


def embedding(rows, mode="finetune"):
    return PretrainedEmbedding(rows, np.arange(len(rows)) > 1, mode=mode)


@pytest.mark.parametrize("name", ["cnn", "bilstm", "nbow"])
@pytest.mark.parametrize("mode", ["frozen", "finetune", "multichannel", "random"])
def test_every_classifier_with_every_mode(rows, name, mode):
    model = build_classifier(name, embedding(rows, mode), num_classes=3)
    logits = model(torch.tensor([[2, 3, 4, 5, 6, 7], [8, 9, 0, 0, 0, 0]]))
    assert logits.shape == (2, 3)
    logits.sum().backward()


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("bilstm", {}),
        ("nbow", {}),
        ("cnn", {"padding": "wide"}),
        ("cnn", {"padding": "valid"}),
    ],
)
def test_a_prediction_does_not_depend_on_its_batch(rows, name, options):
    """Alone, padded, or beside a longer sentence: the same logits (no dropout in eval)."""
    model = build_classifier(name, embedding(rows), num_classes=2, **options).eval()
    with torch.no_grad():
        if name == "cnn":  # positive biases: all-padding windows would then win some filters
            model.conv_bias.uniform_(0.5, 1.0)
        for tokens in ([2, 3, 4], [5], [6, 7, 8, 9, 10, 11, 12]):
            alone = model(torch.tensor([tokens]))
            padded = model(torch.tensor([tokens + [0] * 6]))
            longer = list(range(2, 2 + len(tokens) + 8))
            beside = model(torch.tensor([tokens + [0] * 8, longer]))[:1]
            torch.testing.assert_close(padded, alone)
            torch.testing.assert_close(beside, alone)


def test_cnn_handles_sentences_shorter_than_its_widest_filter(rows):
    model = build_classifier("cnn", embedding(rows), num_classes=2).eval()
    assert model(torch.tensor([[5]])).shape == (1, 2)


@pytest.mark.parametrize("padding", ["valid", "wide"])
@pytest.mark.parametrize("mode", ["finetune", "multichannel"])
def test_cnn_matches_kims_formula(rows, mode, padding):
    """Per position: sum of the channels' convolutions + bias, ReLU; then max over time.

    The layer pools before adding the bias and applying ReLU (cheaper, same result); a bias with
    both signs makes this test fail if the two orders ever stop agreeing.
    """
    emb = embedding(rows, mode)
    model = build_classifier("cnn", emb, num_classes=2, dropout=0.0, padding=padding).eval()
    with torch.no_grad():
        model.conv_bias.uniform_(-0.5, 0.5)
    ids = torch.tensor([[2, 3, 4, 5, 6, 7, 8], [9, 10, 11, 12, 13, 0, 0]])
    sentences = [torch.tensor([[2, 3, 4, 5, 6, 7, 8]]), torch.tensor([[9, 10, 11, 12, 13]])]

    def kims_formula():
        """Each sentence on its own, with 4 padding tokens each side in Kim's wide padding."""
        features = []
        for sentence in sentences:
            padded = torch.nn.functional.pad(sentence, (4, 4)) if padding == "wide" else sentence
            channels = [c.transpose(1, 2) for c in emb.forward_channels(padded)]
            pooled = []
            for i, conv in enumerate(model.convs):
                per_position = sum(conv(c) for c in channels) + model.conv_bias[i].unsqueeze(1)
                pooled.append(torch.relu(per_position).amax(dim=2))
            features.append(torch.cat(pooled, dim=1))
        return model.out(torch.cat(features))

    torch.testing.assert_close(model(ids), kims_formula())
    # ... and so do the gradients of every trained parameter (the tuned embedding rows included)
    upstream = torch.randn(2, 2, generator=torch.Generator().manual_seed(0))
    trained = [p for p in model.parameters() if p.requires_grad]

    def gradients(output):
        model.zero_grad()
        (output * upstream).sum().backward()
        return [p.grad.clone() for p in trained]

    for ours, formula in zip(gradients(model(ids)), gradients(kims_formula()), strict=True):
        torch.testing.assert_close(ours, formula)


def test_cnn_max_norm_constraint(rows):
    model = build_classifier("cnn", embedding(rows), num_classes=2, max_norm=3.0)
    with torch.no_grad():
        model.out.weight.mul_(100)
    model.apply_constraints()
    assert (model.out.weight.norm(dim=1) <= 3.0 + 1e-5).all()


def test_config_records_options(rows):
    model = build_classifier("bilstm", embedding(rows), num_classes=4, hidden=32, pooling="mean")
    assert model.config == {
        "name": "bilstm",
        "num_classes": 4,
        "hidden": 32,
        "layers": 1,
        "pooling": "mean",
        "dropout": 0.5,
    }


def test_bad_names_and_options(rows):
    with pytest.raises(ValueError, match="unknown classifier 'rnn'"):
        build_classifier("rnn", embedding(rows), num_classes=2)
    with pytest.raises(ValueError, match="valid options"):
        build_classifier("cnn", embedding(rows), num_classes=2, kernel=3)
    with pytest.raises(ValueError, match="pooling"):
        build_classifier("bilstm", embedding(rows), num_classes=2, pooling="attention")
