"""PretrainedEmbedding: every mode and option proved by real optimiser steps."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nlptransfer import Vocab, load_vectors
from nlptransfer.nn.embedding import PretrainedEmbedding, embedding_param_groups
from tests.conftest import gensim_data


@pytest.fixture(scope="module")
def glove():
    return load_vectors(gensim_data("test_glove.txt"))  # real GloVe 6B 50d rows


@pytest.fixture(scope="module")
def vocab(glove):
    # Words the vectors know, plus words they do not (OOV rows).
    sentences = [glove.words[:40], ["qqqunknown", "zzzmissing", glove.words[3]]]
    return Vocab.build(sentences)


def train(
    module: torch.nn.Module, emb: PretrainedEmbedding, steps: int = 3, lr: float = 0.5, opt="sgd"
):
    params = embedding_param_groups(module, lr)
    optimizer = (torch.optim.SGD if opt == "sgd" else torch.optim.Adam)(params, lr=lr)
    ids = torch.arange(len(emb.weight)).reshape(1, -1)
    for step in range(steps):
        emb.on_step(step)
        optimizer.zero_grad()
        out = module(ids)
        loss = out.pow(2).sum() + (out.sum() * 0.1) + emb.regularization_loss()
        loss.backward()
        optimizer.step()


def pretrained_rows(glove, vocab):
    return [i for i, t in enumerate(vocab.tokens) if t in glove]


def oov_rows(glove, vocab):
    return [i for i, t in enumerate(vocab.tokens) if i > 1 and t not in glove]


def test_rows_start_equal_to_pretrained_vectors(glove, vocab):
    emb = PretrainedEmbedding.from_vectors(glove, vocab, mode="finetune")
    for i in pretrained_rows(glove, vocab):
        assert torch.equal(emb.weight[i], torch.from_numpy(glove[vocab.tokens[i]]))
    assert emb.weight.shape == (len(vocab), 50)  # only the vocabulary's rows
    assert torch.count_nonzero(emb.weight[0]) == 0


def test_frozen_weights_are_bit_identical_after_training(glove, vocab):
    emb = PretrainedEmbedding.from_vectors(glove, vocab, mode="frozen")
    head = torch.nn.Linear(50, 2)
    model = torch.nn.Sequential(emb, head)
    before = emb.weight.detach().clone()
    head_before = head.weight.detach().clone()
    train(model, emb)
    assert torch.equal(emb.weight, before)
    assert not torch.equal(head.weight, head_before)  # the rest of the model did train


def test_finetuned_weights_move_but_padding_stays_zero(glove, vocab):
    emb = PretrainedEmbedding.from_vectors(glove, vocab, mode="finetune")
    before = emb.weight.detach().clone()
    train(torch.nn.Sequential(emb), emb, opt="adam")
    moved = (emb.weight - before).abs().sum(dim=1)
    assert (moved[2:] > 0).all()
    assert torch.count_nonzero(emb.weight[0]) == 0


def test_multichannel_static_never_moves_tuned_does(glove, vocab):
    emb = PretrainedEmbedding.from_vectors(glove, vocab, mode="multichannel")
    static, tuned = (c.detach().clone() for c in emb.channels)
    assert torch.equal(static, tuned)
    assert emb.output_dim == 100 and emb(torch.tensor([[2, 3]])).shape == (1, 2, 100)
    train(torch.nn.Sequential(emb), emb)
    assert torch.equal(emb.channels[0], static)
    assert not torch.equal(emb.channels[1].detach(), tuned)
    assert len(emb.forward_channels(torch.tensor([[2]]))) == 2


def test_trainable_rows_oov_moves_only_oov_rows(glove, vocab):
    emb = PretrainedEmbedding.from_vectors(glove, vocab, mode="finetune", trainable_rows="oov")
    before = emb.channels[0].detach().clone()
    train(torch.nn.Sequential(emb), emb, opt="adam")
    after = emb.channels[0].detach()
    for i in pretrained_rows(glove, vocab):
        assert torch.equal(after[i], before[i])
    oov = oov_rows(glove, vocab)
    assert oov and all(not torch.equal(after[i], before[i]) for i in oov)
    assert torch.count_nonzero(after[0]) == 0


@pytest.mark.parametrize("unit", ["step", "epoch"])
def test_unfreeze_at_switches_at_the_right_time(glove, vocab, unit):
    emb = PretrainedEmbedding.from_vectors(
        glove, vocab, mode="finetune", unfreeze_at=2, unfreeze_unit=unit
    )
    model = torch.nn.Sequential(emb, torch.nn.Linear(50, 2))
    optimizer = torch.optim.SGD(embedding_param_groups(model, 0.5), lr=0.5)
    history = []
    assert not emb.trainable
    for t in range(4):
        if unit == "epoch":
            emb.on_epoch_start(t)
        emb.on_step(t)
        before = emb.weight.detach().clone()
        optimizer.zero_grad()
        model(torch.tensor([[2, 3, 4]])).pow(2).sum().backward()
        optimizer.step()
        history.append(not torch.equal(emb.weight, before))
    assert history == [False, False, True, True] and emb.trainable


def test_param_groups_carry_the_right_learning_rates(glove, vocab):
    emb = PretrainedEmbedding.from_vectors(glove, vocab, mode="finetune", lr_scale=0.1)
    model = torch.nn.Sequential(emb, torch.nn.Linear(50, 2))
    groups = embedding_param_groups(model, 0.01)
    by_name = {g["name"]: g for g in groups}
    assert by_name["embedding"]["lr"] == pytest.approx(0.001)
    assert by_name["model"]["lr"] == pytest.approx(0.01)
    assert by_name["embedding"]["params"] == [emb.weight]
    optimizer = torch.optim.Adam(groups)
    assert [g["lr"] for g in optimizer.param_groups] == pytest.approx([0.001, 0.01])


def test_l2_pull_keeps_rows_closer_to_pretrained(glove, vocab):
    distances = []
    for l2 in (0.0, 10.0):
        emb = PretrainedEmbedding.from_vectors(glove, vocab, mode="finetune", l2_to_pretrained=l2)
        train(torch.nn.Sequential(emb), emb, steps=5, lr=0.05)
        rows = pretrained_rows(glove, vocab)
        distances.append((emb.weight.detach() - emb.pretrained)[rows].norm().item())
    assert distances[1] < distances[0]


def test_max_norm_caps_looked_up_rows(glove, vocab):
    emb = PretrainedEmbedding.from_vectors(glove, vocab, mode="finetune", max_norm=1.0)
    out = emb(torch.arange(2, len(vocab)).unsqueeze(0))
    assert (out.norm(dim=-1) <= 1.0 + 1e-5).all()


def test_sparse_gradients(glove, vocab):
    emb = PretrainedEmbedding.from_vectors(glove, vocab, mode="finetune", sparse=True)
    emb(torch.tensor([[2, 3]])).sum().backward()
    assert emb.weight.grad.is_sparse
    torch.optim.SparseAdam([emb.weight], lr=0.1).step()


def test_projection(glove, vocab):
    emb = PretrainedEmbedding.from_vectors(glove, vocab, mode="multichannel", projection=16)
    assert emb.output_dim == 16 and emb(torch.tensor([[2, 3, 0]])).shape == (1, 3, 16)


def test_random_mode_has_no_pretrained_knowledge(glove, vocab):
    emb = PretrainedEmbedding.from_vectors(glove, vocab, mode="random", seed=1)
    assert not emb.pretrained_mask.any()
    row = vocab["the"]
    assert not torch.equal(emb.weight[row], torch.from_numpy(glove["the"]))
    assert emb.weight.requires_grad
    same = PretrainedEmbedding.from_vectors(glove, vocab, mode="random", seed=1)
    assert torch.equal(same.weight, emb.weight)  # same seed, same rows
    other = PretrainedEmbedding.from_vectors(glove, vocab, mode="random", seed=2)
    assert not torch.equal(other.weight, emb.weight)


def test_export_vectors_shows_how_words_moved(glove, vocab):
    emb = PretrainedEmbedding.from_vectors(glove, vocab, mode="finetune")
    exported = emb.export_vectors()
    assert exported.words == vocab.tokens[2:]
    np.testing.assert_array_equal(exported["the"], glove["the"])
    train(torch.nn.Sequential(emb), emb)
    assert not np.array_equal(emb.export_vectors()["the"], glove["the"])


def test_fasttext_subwords_fill_oov_rows(shared_file):
    import fasttext

    path = shared_file("vectors/lid.176.ftz")
    vectors = load_vectors(path)
    vocab = Vocab.build([["bonjour", "qqqzzzunseen", "transferlearning"]])
    emb = PretrainedEmbedding.from_vectors(vectors, vocab, mode="frozen", oov="subword")
    model = fasttext.load_model(str(path))
    for word in ("qqqzzzunseen", "transferlearning"):
        expected = model.get_word_vector(word)
        np.testing.assert_allclose(emb.weight[vocab[word]].numpy(), expected, rtol=1e-5, atol=1e-6)


def test_bad_options_fail_early(glove, vocab):
    with pytest.raises(ValueError, match="unknown mode 'static'"):
        PretrainedEmbedding.from_vectors(glove, vocab, mode="static")
    with pytest.raises(ValueError, match="needs pretrained vectors"):
        PretrainedEmbedding.from_vectors(None, vocab, mode="frozen")
    with pytest.raises(ValueError, match="unfreeze_at applies to mode 'finetune'"):
        PretrainedEmbedding.from_vectors(glove, vocab, mode="frozen", unfreeze_at=1)
    with pytest.raises(ValueError, match="trainable_rows"):
        PretrainedEmbedding.from_vectors(glove, vocab, trainable_rows="some")


def test_state_dict_round_trip(glove, vocab):
    emb = PretrainedEmbedding.from_vectors(glove, vocab, mode="multichannel")
    again = PretrainedEmbedding(
        np.zeros((len(vocab), 50), np.float32), np.zeros(len(vocab), bool), mode="multichannel"
    )
    again.load_state_dict(emb.state_dict())
    assert torch.equal(again.channels[0], emb.channels[0]) and torch.equal(again.weight, emb.weight)
