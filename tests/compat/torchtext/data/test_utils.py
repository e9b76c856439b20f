"""``get_tokenizer`` and ``ngrams_iterator`` behave as torchtext 0.18's ``data.utils``.

The ``basic_english`` results below follow torchtext's rules by hand: lowercase; ``'`` becomes
`` '  ``; ``"`` goes; ``.`` becomes `` . ``; ``<br />`` becomes a space; ``,`` ``(`` ``)`` ``!``
``?`` get a space on each side; ``;`` and ``:`` become a space; split on whitespace.
"""

from __future__ import annotations

import pytest
import torch

from nlptransfer.compat.torchtext.data import get_tokenizer as from_data
from nlptransfer.compat.torchtext.data.functional import to_map_style_dataset
from nlptransfer.compat.torchtext.data.utils import get_tokenizer, ngrams_iterator
from nlptransfer.errors import UnknownNameError

BASIC_ENGLISH = [
    # torchtext's own documented example
    (
        "You can now install TorchText using pip!",
        ["you", "can", "now", "install", "torchtext", "using", "pip", "!"],
    ),
    ("Don't", ["don", "'", "t"]),
    ("'quoted'", ["'", "quoted", "'"]),
    ('He said "hi"', ["he", "said", "hi"]),
    ("end.Start", ["end", ".", "start"]),
    ("3.14", ["3", ".", "14"]),
    ("...", [".", ".", "."]),
    ("one<br />two", ["one", "two"]),
    ("A<BR />B", ["a", "b"]),  # lowercased first, so the upper-case tag goes too
    ("a<br/>b", ["a<br/>b"]),  # only "<br />" with its space is a rule
    (
        "x,y(z)w!v?u;t:s",
        ["x", ",", "y", "(", "z", ")", "w", "!", "v", "?", "u", "t", "s"],
    ),
    (
        "e-mail & co/op [ok] {k} #1 $5 50%",
        ["e-mail", "&", "co/op", "[ok]", "{k}", "#1", "$5", "50%"],
    ),
    ("Naïve CAFÉ", ["naïve", "café"]),
    ("  tabs\tand\nnew lines  ", ["tabs", "and", "new", "lines"]),
    ("", []),
]


@pytest.mark.parametrize(("text", "tokens"), BASIC_ENGLISH)
def test_basic_english_applies_torchtexts_rules(text, tokens):
    assert get_tokenizer("basic_english")(text) == tokens


def test_basic_english_is_english_only():
    with pytest.raises(UnknownNameError, match="only available for English") as caught:
        get_tokenizer("basic_english", language="de")
    assert isinstance(caught.value, ValueError)


def test_none_is_str_split():
    assert get_tokenizer(None)("  It's  a\ttest. ") == ["It's", "a", "test."]


def test_a_callable_is_returned_as_it_is():
    def mine(text):
        return list(text)

    assert get_tokenizer(mine) is mine
    assert from_data is get_tokenizer


def test_spacy_keeps_whitespace_tokens_as_torchtext_did():
    tokenize = get_tokenizer("spacy", language="en")
    assert tokenize("Don't panic!") == ["Do", "n't", "panic", "!"]
    assert tokenize("a  b") == ["a", " ", "b"]


def test_unknown_and_third_party_names_say_what_to_do():
    with pytest.raises(ValueError, match="unknown tokenizer 'basic_englsh'"):
        get_tokenizer("basic_englsh")
    with pytest.raises(UnknownNameError, match=r"get_tokenizer\(sacremoses\.MosesTokenizer"):
        get_tokenizer("moses")


def test_ngrams_iterator_yields_the_tokens_then_each_longer_run():
    assert list(ngrams_iterator(["here", "we", "are"], 1)) == ["here", "we", "are"]
    assert list(ngrams_iterator(["here", "we", "are"], 3)) == [
        "here",
        "we",
        "are",
        "here we",
        "we are",
        "here we are",
    ]
    assert list(ngrams_iterator(["one"], 2)) == ["one"]


def test_to_map_style_dataset_feeds_random_split_and_a_data_loader():
    dataset = to_map_style_dataset(iter([(1, "good"), (0, "bad"), (1, "fine")]))
    assert len(dataset) == 3 and dataset[2] == (1, "fine")
    generator = torch.Generator().manual_seed(0)
    first, second = torch.utils.data.random_split(dataset, [2, 1], generator=generator)
    assert len(first) == 2 and len(second) == 1
    batches = list(torch.utils.data.DataLoader(dataset, batch_size=2, collate_fn=list))
    assert batches == [[(1, "good"), (0, "bad")], [(1, "fine")]]
