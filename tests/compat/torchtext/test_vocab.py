"""``Vocab``, ``vocab`` and ``build_vocab_from_iterator`` behave as torchtext 0.18's.

The expected values are written out from torchtext 0.18's documentation and source
(``torchtext/vocab/vocab_factory.py``, ``vocab.py`` and ``csrc/vocab.cpp``): the order (count
down, then the token), where specials go, what ``max_tokens`` and ``min_freq`` keep, and the
``RuntimeError`` messages of the C++ vocab.
"""

from __future__ import annotations

import copy
import pickle
from collections import Counter, OrderedDict

import pytest
import torch

from nlptransfer.compat.torchtext.vocab import Vocab, build_vocab_from_iterator, vocab
from nlptransfer.errors import CompatError, NLPTransferError

TEXTS = [["b", "a", "c", "a"], ["c", "d", "e", "b", "a"]]  # a 3, b 2, c 2, d 1, e 1


# -- order ------------------------------------------------------------------------------------
def test_tokens_by_decreasing_count_then_the_token():
    assert build_vocab_from_iterator(TEXTS).get_itos() == ["a", "b", "c", "d", "e"]


def test_ties_follow_python_string_order_so_capitals_come_first():
    texts = [["b", "a", "B", "_", "é", "A1"]]
    assert build_vocab_from_iterator(texts).get_itos() == ["A1", "B", "_", "a", "b", "é"]


def test_specials_first_in_their_order_or_last():
    specials = ["<unk>", "<pad>"]
    assert build_vocab_from_iterator(TEXTS, specials=specials).get_itos() == [
        "<unk>",
        "<pad>",
        "a",
        "b",
        "c",
        "d",
        "e",
    ]
    last = build_vocab_from_iterator(TEXTS, specials=specials, special_first=False)
    assert last.get_itos() == ["a", "b", "c", "d", "e", "<unk>", "<pad>"]


def test_a_special_seen_in_the_data_appears_once_where_the_specials_go():
    texts = [["<unk>", "<unk>", "<unk>", "x"]]
    assert build_vocab_from_iterator(texts, specials=["<unk>"]).get_itos() == ["<unk>", "x"]


def test_min_freq_drops_rare_tokens_but_never_specials():
    built = build_vocab_from_iterator(TEXTS, min_freq=2, specials=["<unk>"])
    assert built.get_itos() == ["<unk>", "a", "b", "c"]


def test_max_tokens_counts_the_specials():
    built = build_vocab_from_iterator(TEXTS, specials=["<unk>", "<pad>"], max_tokens=4)
    assert built.get_itos() == ["<unk>", "<pad>", "a", "b"]
    assert len(built) == 4
    assert build_vocab_from_iterator(TEXTS, max_tokens=2).get_itos() == ["a", "b"]


def test_max_tokens_is_applied_before_min_freq_and_before_specials_leave_the_counts():
    # torchtext keeps the max_tokens - len(specials) most frequent tokens, then drops those under
    # min_freq, then takes the specials out of that list: a special seen in the data uses a place.
    assert build_vocab_from_iterator(
        TEXTS, min_freq=2, specials=["<unk>"], max_tokens=5
    ).get_itos() == ["<unk>", "a", "b", "c"]
    texts = [["<unk>"] * 5 + ["a", "a", "b"]]
    built = build_vocab_from_iterator(texts, specials=["<unk>"], max_tokens=3)
    assert built.get_itos() == ["<unk>", "a"]


def test_max_tokens_with_no_room_beyond_the_specials_is_an_error():
    with pytest.raises(CompatError, match=r"len\(specials\) >= max_tokens"):
        build_vocab_from_iterator(TEXTS, specials=["<unk>", "<pad>"], max_tokens=2)


def test_the_iterator_is_read_once_and_may_yield_any_iterable_of_tokens():
    def texts():
        yield iter(["x", "y"])
        yield ("y",)

    assert build_vocab_from_iterator(texts()).get_itos() == ["y", "x"]
    assert build_vocab_from_iterator([]).get_itos() == []


# -- vocab(ordered_dict) ----------------------------------------------------------------------
def test_vocab_factory_as_its_documentation_shows():
    counter = Counter(["a", "a", "b", "b", "b"])
    sorted_by_freq_tuples = sorted(counter.items(), key=lambda x: x[1], reverse=True)
    v1 = vocab(OrderedDict(sorted_by_freq_tuples))
    assert v1["a"] == 1  # "prints 1"
    with pytest.raises(RuntimeError):  # "raise RuntimeError since default index is not set"
        v1["out of vocab"]
    tokens = ["e", "d", "c", "b", "a"]
    v2 = vocab(OrderedDict([(token, 1) for token in tokens]), specials=["<unk>"])
    v2.set_default_index(-1)
    assert v2["<unk>"] == 0 and v2["out of vocab"] == -1
    v2.set_default_index(v2["<unk>"])
    assert v2["out of vocab"] is v2["<unk>"]


def test_vocab_factory_keeps_the_dict_order_and_applies_min_freq():
    ordered = OrderedDict([("z", 1), ("y", 5), ("x", 2)])
    assert vocab(ordered).get_itos() == ["z", "y", "x"]
    assert vocab(ordered, min_freq=2, specials=["<s>"], special_first=False).get_itos() == [
        "y",
        "x",
        "<s>",
    ]
    assert list(ordered) == ["z", "y", "x"]  # left as it was


def test_duplicate_specials_are_refused_as_torchtext_refused_duplicate_tokens():
    with pytest.raises(RuntimeError, match=r"^Duplicate token found in tokens list: <unk>$"):
        vocab(OrderedDict(a=1), specials=["<unk>", "<unk>"])


# -- lookups and the default index ------------------------------------------------------------
def test_an_unknown_token_without_a_default_index_is_torchtexts_runtime_error():
    v = build_vocab_from_iterator(TEXTS, specials=["<unk>"])
    assert v.get_default_index() is None
    with pytest.raises(CompatError) as caught:
        v["zebra"]
    assert str(caught.value) == "Token zebra not found and default index is not set"
    assert isinstance(caught.value, RuntimeError) and isinstance(caught.value, NLPTransferError)
    with pytest.raises(RuntimeError, match="Token zebra not found"):
        v(["a", "zebra"])
    with pytest.raises(RuntimeError, match="Token zebra not found"):
        v.lookup_indices(["zebra"])


def test_the_default_index_maps_unknown_tokens_until_it_is_unset():
    v = build_vocab_from_iterator(TEXTS, specials=["<unk>"])
    v.set_default_index(v["<unk>"])
    assert v.get_default_index() == 0
    assert v["zebra"] == 0 and v(["a", "zebra", "e"]) == [1, 0, 5]
    assert "zebra" not in v and "a" in v and 3 not in v
    v.set_default_index(None)
    with pytest.raises(RuntimeError):
        v["zebra"]


def test_calling_forward_and_lookup_indices_agree_and_vocab_is_a_module():
    v = build_vocab_from_iterator(TEXTS)
    assert isinstance(v, torch.nn.Module)
    assert v(["e", "a"]) == v.forward(["e", "a"]) == v.lookup_indices(["e", "a"]) == [4, 0]
    assert v([]) == []


def test_lookup_token_and_tokens_refuse_out_of_range_indices_negative_ones_included():
    v = Vocab(["a", "b", "c"])
    assert v.lookup_token(2) == "c" and v.lookup_tokens([2, 0, 2]) == ["c", "a", "c"]
    with pytest.raises(
        RuntimeError, match=r"^Specified index 3 is out of bounds for vocab of size 3$"
    ):
        v.lookup_token(3)
    with pytest.raises(RuntimeError, match=r"^Specified index -1 is out of bounds"):
        v.lookup_token(-1)
    with pytest.raises(
        RuntimeError,
        match=r"^Specified index 7 at position 1 is out of bounds for vocab of size 3$",
    ):
        v.lookup_tokens([0, 7])


def test_get_stoi_and_get_itos_are_copies():
    v = Vocab(["a", "b"])
    v.get_itos().append("c")
    v.get_stoi()["c"] = 2
    assert v.get_itos() == ["a", "b"] and v.get_stoi() == {"a": 0, "b": 1} and len(v) == 2


# -- changing a vocab -------------------------------------------------------------------------
def test_insert_token_moves_later_tokens_up_and_keeps_the_default_index_number():
    v = Vocab(["<unk>", "a", "b"], default_index=0)
    v.insert_token("<pad>", 1)
    assert v.get_itos() == ["<unk>", "<pad>", "a", "b"]
    assert v.get_stoi() == {"<unk>": 0, "<pad>": 1, "a": 2, "b": 3}
    v.insert_token("z", 4)  # at the end: index == len is allowed
    assert v["z"] == 4 and v["nope"] == 0
    v.insert_token("first", 0)
    assert v["<unk>"] == 1 and v.get_default_index() == 0 and v["nope"] == 0


def test_insert_token_refuses_bad_indices_and_tokens_already_there():
    v = Vocab(["a", "b"])
    with pytest.raises(
        RuntimeError, match=r"^Specified index 3 is out of bounds for vocab of size 2$"
    ):
        v.insert_token("c", 3)
    with pytest.raises(RuntimeError, match=r"^Specified index -1 is out of bounds"):
        v.insert_token("c", -1)
    with pytest.raises(RuntimeError, match=r"^Token b already exists in the Vocab with index: 1$"):
        v.insert_token("b", 0)
    assert v.get_itos() == ["a", "b"]


def test_append_token_adds_at_the_end_and_refuses_a_token_already_there():
    v = Vocab(["a"])
    v.append_token("b")
    assert v.get_itos() == ["a", "b"] and v["b"] == 1
    with pytest.raises(RuntimeError, match=r"^Token a already exists in the Vocab with index: 0$"):
        v.append_token("a")


def test_a_vocab_copies_another_and_survives_pickling():
    v = build_vocab_from_iterator(TEXTS, specials=["<unk>"])
    v.set_default_index(0)
    for other in (Vocab(v), copy.deepcopy(v), pickle.loads(pickle.dumps(v))):
        assert other.get_itos() == v.get_itos() and other["zebra"] == 0
    copied = Vocab(v)
    copied.append_token("new")
    assert "new" not in v
