"""Programs written for torchtext 0.18 run here with their imports changed, and nothing else.

Each program in ``tutorials/`` is torchtext-tutorial code on real SST-2 sentences: a vocabulary
built from an iterator with specials, ``set_default_index``, GloVe 6B 50d rows copied into the
embedding layer, a few epochs of training. The test rewrites its ``from torchtext...`` lines to
``from nlptransfer.compat.torchtext...``, checks that no other line changed, runs it, and
checks what it built against this library's own GloVe.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
import torch

from nlptransfer import load_vectors

TUTORIALS = Path(__file__).with_name("tutorials")
_TORCHTEXT_IMPORT = re.compile(r"^from torchtext(?=[. ])", re.MULTILINE)


def port(source: str) -> str:
    """The one change a torchtext user makes: the imports."""
    return _TORCHTEXT_IMPORT.sub("from nlptransfer.compat.torchtext", source)


def run_tutorial(name: str, sst2: Path, monkeypatch) -> dict:
    path = TUTORIALS / name
    original = path.read_text(encoding="utf-8")
    ported = port(original)
    changed = [
        line[1:]
        for line in difflib.unified_diff(original.splitlines(), ported.splitlines(), lineterm="")
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed, f"{name} imports nothing from torchtext"
    assert all(re.match(r"from (nlptransfer\.compat\.)?torchtext[. ]", line) for line in changed)
    assert "nlptransfer" not in original
    monkeypatch.setenv("SST2_DIR", str(sst2))
    namespace = {"__name__": "__main__", "__file__": str(path)}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models: more threads only contend for shared cores
    try:
        exec(compile(ported, str(path), "exec"), namespace)
    finally:
        torch.set_num_threads(threads)
    return namespace


@pytest.fixture(scope="module")
def glove():
    return load_vectors("glove-6b-50d")


@pytest.fixture
def sst2(shared_file) -> Path:
    return shared_file("sst2-glue/train.tsv").parent


def test_the_port_changes_only_torchtext_imports():
    source = (
        "import torchtext_like\nfrom torchtext.vocab import GloVe\n"
        "from torchtext import vocab\nx = 'from torchtext.vocab import GloVe'\n"
    )
    assert port(source) == (
        "import torchtext_like\nfrom nlptransfer.compat.torchtext.vocab import GloVe\n"
        "from nlptransfer.compat.torchtext import vocab\nx = 'from torchtext.vocab import GloVe'\n"
    )


def test_sentiment_tutorial_with_glove_trains(sst2, glove, monkeypatch, capsys):
    ns = run_tutorial("sentiment_glove.py", sst2, monkeypatch)
    vocab, weights = ns["vocab"], ns["pretrained_embeddings"]

    assert vocab.get_itos()[:2] == ["<unk>", "<pad>"] and vocab.get_default_index() == 0
    assert vocab["a-word-never-seen"] == 0
    assert weights.shape == (len(vocab), 50) and weights.dtype == torch.float32
    # Each row is GloVe's vector for that token; tokens GloVe lacks ("<unk>", "<pad>") are zeros.
    for token in ["the", "movie", "good", ",", "'"]:
        assert token in vocab
        assert torch.equal(weights[vocab[token]], torch.tensor(glove[token]))
    assert not weights[:2].any()
    assert ns["unk_tokens"][:2] == ["<unk>", "<pad>"]
    assert len(ns["unk_tokens"]) < 0.05 * len(vocab)  # basic_english tokens are GloVe's tokens

    losses = ns["losses"]
    assert len(losses) == 6 and losses[-1] < 0.5 * losses[0]
    assert ns["train_acc"] > 0.9
    assert 0.5 < ns["valid_acc"] <= 1.0
    assert "Unique tokens in vocabulary" in capsys.readouterr().out


def test_text_classification_tutorial_with_embedding_bag_trains(sst2, glove, monkeypatch):
    ns = run_tutorial("text_classification.py", sst2, monkeypatch)
    vocab, model = ns["vocab"], ns["model"]

    assert len(vocab) == 800 and vocab.get_itos()[0] == "<unk>"  # max_tokens counts "<unk>"
    assert ns["text_pipeline"]("the qzxwv movie") == [vocab["the"], 0, vocab["movie"]]
    assert isinstance(ns["glove"], ns["GloVe"]) and len(ns["glove"]) == 400_000
    accuracies = ns["accuracies"]
    assert len(accuracies) == 8 and accuracies[-1] > accuracies[0]
    assert accuracies[-1] > 0.7
    assert model.embedding.weight.shape == (800, 50)
