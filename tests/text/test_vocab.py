"""Vocab on real sentences of the Kim suite."""

from __future__ import annotations

import json

import pytest

from nlptransfer import load_vectors
from nlptransfer.errors import NLPTransferError
from nlptransfer.text.vocab import PAD, UNK, Vocab
from tests.conftest import gensim_data


@pytest.fixture(scope="module")
def sentences(shared_file):
    lines = shared_file("kim2014/stsa.binary.train").read_text(encoding="utf-8").splitlines()
    return [line.split()[1:] for line in lines]


def test_build_orders_by_frequency_with_specials_first(sentences):
    vocab = Vocab.build(sentences)
    assert vocab.tokens[:2] == [PAD, UNK] and vocab.pad_index == 0 and vocab.unk_index == 1
    counts = [vocab.counts[t] for t in vocab.tokens[2:]]
    assert counts == sorted(counts, reverse=True)
    assert vocab.tokens[2] == max(vocab.counts, key=vocab.counts.get)


def test_min_freq_and_max_size(sentences):
    full = Vocab.build(sentences)
    frequent = Vocab.build(sentences, min_freq=3)
    assert all(full.counts[t] >= 3 for t in frequent.tokens[2:])
    assert len(frequent) == 2 + sum(1 for n in full.counts.values() if n >= 3)
    assert len(Vocab.build(sentences, max_size=100)) == 102


def test_unknown_tokens_map_to_unk(sentences):
    vocab = Vocab.build(sentences)
    assert vocab["qqqzzz"] == 1 and "qqqzzz" not in vocab
    ids = vocab.encode(["the", "qqqzzz", "film"])
    assert ids[1] == 1 and vocab.decode(ids) == ["the", UNK, "film"]


def test_same_data_same_ids(sentences):
    assert Vocab.build(sentences).tokens == Vocab.build(list(sentences)).tokens


def test_save_load_is_json(tmp_path, sentences):
    vocab = Vocab.build(sentences, max_size=500)
    path = vocab.save(tmp_path / "vocab.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["tokens"] == vocab.tokens
    again = Vocab.load(path)
    assert again == vocab and again.counts == vocab.counts


def test_load_rejects_other_json(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(NLPTransferError, match="expected a nlptransfer-vocab"):
        Vocab.load(path)
    path.write_text("{broken")
    with pytest.raises(NLPTransferError, match="line 1"):
        Vocab.load(path)


def test_with_vectors_words_adds_unseen_pretrained_words(sentences):
    vocab = Vocab.build(sentences[:50])
    glove = load_vectors(gensim_data("test_glove.txt"))
    bigger = vocab.with_vectors_words(glove)
    assert bigger.tokens[: len(vocab)] == vocab.tokens  # existing ids unchanged
    assert set(glove.words) <= set(bigger.tokens)
    assert len(vocab.with_vectors_words(glove, max_new=3)) <= len(vocab) + 3


def test_constructor_checks():
    with pytest.raises(ValueError, match="starts with"):
        Vocab(["a", "b"])
    with pytest.raises(ValueError, match="'a' appears more than once"):
        Vocab([PAD, UNK, "a", "a"])


def test_coverage_report_of_the_vocabulary(sentences):
    vocab = Vocab.build(sentences[:200])
    glove = load_vectors("glove-6b-50d")
    report = glove.coverage(vocab.token_counts())
    assert report.types == len(vocab) - 2  # padding and unknown are not words
    assert report.tokens == sum(vocab.counts.values())  # weighted by training counts
    assert 0 < report.covered_tokens <= report.tokens
    missing = {word for word, _ in report.missing}
    assert missing and all(word not in glove for word in missing)
