"""Tokenizers on real review text."""

from __future__ import annotations

import csv
import gzip
import io
import pickle

import pytest

from nlptransfer.text.tokenize import RegexTokenizer, get_tokenizer, tokenizer_from_config


@pytest.fixture(scope="module")
def reviews(shared_file):
    with gzip.open(shared_file("imdb/train.csv.gz"), "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(io.StringIO(f.read(400_000))))
    return [row["text"] for row in rows[:40] if row.get("text")]


def test_spacy_splits_clitics_and_punctuation():
    assert get_tokenizer()("Don't panic, it's fine.") == [
        "Do",
        "n't",
        "panic",
        ",",
        "it",
        "'s",
        "fine",
        ".",
    ]


def test_batch_equals_one_at_a_time(reviews):
    tok = get_tokenizer("spacy", lowercase=True, max_tokens=50)
    assert tok.tokenize_batch(reviews) == [tok(text) for text in reviews]
    assert all(len(tokens) <= 50 for tokens in tok.tokenize_batch(reviews))
    assert all(t == t.lower() for tokens in tok.tokenize_batch(reviews) for t in tokens)


def test_no_whitespace_tokens(reviews):
    for tokens in get_tokenizer("spacy").tokenize_batch(reviews):
        assert all(t.strip() for t in tokens)


def test_whitespace_and_regex():
    assert get_tokenizer("whitespace")("it 's  good\n") == ["it", "'s", "good"]
    assert RegexTokenizer()("Isn't it great? Yes!") == ["Isn't", "it", "great", "?", "Yes", "!"]


def test_lowercase_does_not_depend_on_locale():
    # Turkish dotted I lowercases the same everywhere (str.lower is locale-independent).
    assert get_tokenizer("whitespace", lowercase=True)("İSTANBUL ÉCOLE") == ["i̇stanbul", "école"]


@pytest.mark.parametrize("name", ["spacy", "whitespace", "regex"])
def test_config_round_trip(name):
    tok = get_tokenizer(name, lowercase=True, max_tokens=3)
    again = tokenizer_from_config(tok.config())
    text = "The Movie was GREAT , really great"
    assert again(text) == tok(text) and len(again(text)) == 3


def test_spacy_tokenizer_pickles_for_worker_processes():
    tok = get_tokenizer("spacy")
    tok("warm up")  # builds the spaCy pipeline
    again = pickle.loads(pickle.dumps(tok))
    assert again("Don't stop") == tok("Don't stop")


def test_errors():
    with pytest.raises(ValueError, match="unknown tokenizer 'bert'"):
        get_tokenizer("bert")
    with pytest.raises(ValueError, match="max_tokens"):
        get_tokenizer("whitespace", max_tokens=0)


def test_memoized_tokenizer_tokenizes_each_text_once():
    from nlptransfer.text.tokenize import MemoizedTokenizer, SpacyTokenizer

    class Counting(SpacyTokenizer):
        def __init__(self, **options):
            super().__init__(**options)
            self.seen: list[str] = []

        def split_batch(self, texts):
            self.seen.extend(texts)
            return super().split_batch(texts)

    inner = Counting(lowercase=True, max_tokens=3)
    memo = MemoizedTokenizer(inner)
    texts = ["It's GREAT fun, really.", "Dull.", "It's GREAT fun, really."]
    first = memo.tokenize_batch(texts)
    assert first == inner.tokenize_batch(texts)
    inner.seen.clear()
    first[0].append("changed by the caller")
    assert memo.tokenize_batch(texts[:2]) == inner.tokenize_batch(texts[:2])[:2]
    assert inner.seen == texts[:2]  # only the direct call above: the memo answered alone
    assert memo("Dull.") == ["dull", "."] and memo.config() == inner.config()
