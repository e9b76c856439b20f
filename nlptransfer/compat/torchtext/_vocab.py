"""torchtext 0.18's ``Vocab`` and its factories, ``vocab`` and ``build_vocab_from_iterator``.

The order is torchtext's: :func:`build_vocab_from_iterator` sorts tokens by decreasing count,
ties by the token (Python's string order), keeps the ``max_tokens - len(specials)`` first,
drops those seen fewer than ``min_freq`` times, and puts the specials first (or last).
A token that is not in a :class:`Vocab` is an error until a default index is set.

Example:
    >>> v = build_vocab_from_iterator([["b", "a", "c", "a"], ["c", "d"]], specials=["<unk>"])
    >>> v.get_itos()
    ['<unk>', 'a', 'c', 'b', 'd']
    >>> v.set_default_index(v["<unk>"])
    >>> v(["a", "zebra"])
    [1, 0]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import torch

from nlptransfer._util.errors import CompatError


class Vocab(torch.nn.Module):
    """Maps tokens to indices and back, as torchtext's ``Vocab`` (a ``torch.nn.Module``).

    Args:
        tokens: the tokens in index order (unique), or another :class:`Vocab` to copy.
        default_index: what unknown tokens map to; ``None`` (default) makes them an error.

    Raises:
        CompatError: a token appears twice (a ``RuntimeError``, as torchtext's).

    Example:
        >>> v = Vocab(["<unk>", "hello", "world"])
        >>> v["world"], "hello" in v, len(v), v.lookup_tokens([2, 1])
        (2, True, 3, ['world', 'hello'])
        >>> v["nope"]
        Traceback (most recent call last):
        ...
        nlptransfer._util.errors.CompatError: Token nope not found and default index is not set
    """

    def __init__(self, tokens: Iterable[str] | Vocab = (), default_index: int | None = None):
        super().__init__()
        if isinstance(tokens, Vocab):
            default_index = tokens.get_default_index() if default_index is None else default_index
            tokens = tokens.get_itos()
        self._itos: list[str] = []
        self._stoi: dict[str, int] = {}
        self._default_index = default_index
        for token in tokens:
            if token in self._stoi:
                raise CompatError(f"Duplicate token found in tokens list: {token}")
            self._stoi[token] = len(self._itos)
            self._itos.append(token)

    def forward(self, tokens: list[str]) -> list[int]:
        """The indices of ``tokens`` (what calling the vocab does): :meth:`lookup_indices`.

        >>> Vocab(["a", "b"])(["b", "a", "b"])
        [1, 0, 1]
        """
        return self.lookup_indices(tokens)

    def __len__(self) -> int:
        return len(self._itos)

    def __contains__(self, token: object) -> bool:
        return token in self._stoi

    def __getitem__(self, token: str) -> int:
        """The index of ``token``, else the default index.

        Raises:
            CompatError: ``token`` is unknown and no default index is set (a ``RuntimeError``).
        """
        index = self._stoi.get(token)
        if index is not None:
            return index
        if self._default_index is None:
            raise CompatError(f"Token {token} not found and default index is not set")
        return self._default_index

    def set_default_index(self, index: int | None) -> None:
        """What unknown tokens map to from now on (``None``: they are an error again).

        >>> v = Vocab(["<unk>", "a"])
        >>> v.set_default_index(v["<unk>"])
        >>> v["zzz"], v.get_default_index()
        (0, 0)
        """
        self._default_index = index

    def get_default_index(self) -> int | None:
        """The default index, or ``None`` when none is set."""
        return self._default_index

    def insert_token(self, token: str, index: int) -> None:
        """Put ``token`` at ``index`` (``0 <= index <= len(self)``); later tokens move up one.

        The default index stays the number it was, as in torchtext.

        Raises:
            CompatError: ``index`` is out of bounds, or ``token`` is already in the vocab.

        Example:
            >>> v = Vocab(["a", "b"])
            >>> v.insert_token("<pad>", 0)
            >>> v.get_itos(), v["b"]
            (['<pad>', 'a', 'b'], 2)
        """
        if not 0 <= index <= len(self._itos):
            raise CompatError(
                f"Specified index {index} is out of bounds for vocab of size {len(self._itos)}"
            )
        self._refuse_duplicate(token)
        self._itos.insert(index, token)
        for position in range(index, len(self._itos)):
            self._stoi[self._itos[position]] = position

    def append_token(self, token: str) -> None:
        """Add ``token`` at the end.

        Raises:
            CompatError: ``token`` is already in the vocab.

        Example:
            >>> v = Vocab(["a"])
            >>> v.append_token("b")
            >>> v["b"]
            1
        """
        self._refuse_duplicate(token)
        self._stoi[token] = len(self._itos)
        self._itos.append(token)

    def _refuse_duplicate(self, token: str) -> None:
        if token in self._stoi:
            raise CompatError(
                f"Token {token} already exists in the Vocab with index: {self._stoi[token]}"
            )

    def lookup_token(self, index: int) -> str:
        """The token at ``index`` (``0 <= index < len(self)``; no negative indices).

        Raises:
            CompatError: ``index`` is out of bounds.

        Example:
            >>> Vocab(["a", "b"]).lookup_token(1)
            'b'
        """
        if not 0 <= index < len(self._itos):
            raise CompatError(
                f"Specified index {index} is out of bounds for vocab of size {len(self._itos)}"
            )
        return self._itos[index]

    def lookup_tokens(self, indices: list[int]) -> list[str]:
        """The tokens at ``indices``.

        Raises:
            CompatError: an index is out of bounds (the message says at which position).

        Example:
            >>> Vocab(["a", "b"]).lookup_tokens([1, 1, 0])
            ['b', 'b', 'a']
        """
        size = len(self._itos)
        for position, index in enumerate(indices):
            if not 0 <= index < size:
                raise CompatError(
                    f"Specified index {index} at position {position} is out of bounds for "
                    f"vocab of size {size}"
                )
        return [self._itos[index] for index in indices]

    def lookup_indices(self, tokens: list[str]) -> list[int]:
        """The index of each token (unknown ones: the default index, or an error).

        >>> v = Vocab(["<unk>", "a"], default_index=0)
        >>> v.lookup_indices(["a", "b"])
        [1, 0]
        """
        stoi, default = self._stoi, self._default_index
        if default is not None:
            return [stoi.get(token, default) for token in tokens]
        return [self[token] for token in tokens]

    def get_stoi(self) -> dict[str, int]:
        """A new dict from each token to its index.

        >>> Vocab(["a", "b"]).get_stoi()
        {'a': 0, 'b': 1}
        """
        return dict(self._stoi)

    def get_itos(self) -> list[str]:
        """A new list of the tokens in index order.

        >>> Vocab(["a", "b"]).get_itos()
        ['a', 'b']
        """
        return list(self._itos)

    def extra_repr(self) -> str:
        return f"{len(self._itos)} tokens, default_index={self._default_index}"


def vocab(
    ordered_dict: Mapping[str, int],
    min_freq: int = 1,
    specials: list[str] | None = None,
    special_first: bool = True,
) -> Vocab:
    """A :class:`Vocab` of the tokens of ``ordered_dict`` seen at least ``min_freq`` times, in
    the dict's order, with ``specials`` (in their order) first or last.

    A special that is also a key of ``ordered_dict`` appears once, where the specials go.
    Unlike torchtext, ``ordered_dict`` is left as it is (torchtext removed the specials from it).

    Raises:
        CompatError: ``specials`` holds a token twice.

    Example:
        >>> from collections import Counter, OrderedDict
        >>> counter = Counter(["a", "a", "b", "b", "b"])
        >>> ordered = OrderedDict(sorted(counter.items(), key=lambda x: x[1], reverse=True))
        >>> v = vocab(ordered, specials=["<unk>"])
        >>> v.get_itos(), v["a"]
        (['<unk>', 'b', 'a'], 2)
        >>> vocab(OrderedDict([("e", 1), ("d", 3)]), min_freq=2, specials=["<pad>"], special_first=False).get_itos()
        ['d', '<pad>']
    """
    specials = list(specials or [])
    special_set = set(specials)
    tokens = [
        token
        for token, freq in ordered_dict.items()
        if token not in special_set and freq >= min_freq
    ]
    return Vocab(specials + tokens if special_first else tokens + specials)


def build_vocab_from_iterator(
    iterator: Iterable[Iterable[str]],
    min_freq: int = 1,
    specials: list[str] | None = None,
    special_first: bool = True,
    max_tokens: int | None = None,
) -> Vocab:
    """A :class:`Vocab` of every token the iterator yields, as torchtext 0.18 builds it.

    Args:
        iterator: yields lists (or other iterables) of tokens, one per text.
        min_freq: the fewest times a token must be seen to be kept.
        specials: tokens to add (``["<unk>", "<pad>"]``), in this order.
        special_first: put the specials first (default) or last.
        max_tokens: the size of the vocabulary, specials counted: the ``max_tokens -
            len(specials)`` most frequent tokens are kept (before ``min_freq`` is applied, as
            in torchtext).

    Tokens are ordered by decreasing count, then by the token itself for equal counts.

    Raises:
        CompatError: ``max_tokens`` leaves no room beyond the specials (torchtext asserted it).

    Example:
        >>> texts = [["the", "cat"], ["the", "dog"], ["a", "dog"]]
        >>> build_vocab_from_iterator(texts).get_itos()
        ['dog', 'the', 'a', 'cat']
        >>> build_vocab_from_iterator(texts, specials=["<unk>", "<pad>"], max_tokens=4).get_itos()
        ['<unk>', '<pad>', 'dog', 'the']
        >>> build_vocab_from_iterator(texts, min_freq=2, specials=["<unk>"], special_first=False).get_itos()
        ['dog', 'the', '<unk>']
    """
    counter: Counter[str] = Counter()
    for tokens in iterator:
        counter.update(tokens)
    specials = list(specials or [])
    by_count = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    if max_tokens is not None:
        if len(specials) >= max_tokens:
            raise CompatError(
                f"len(specials) >= max_tokens ({len(specials)} >= {max_tokens}), so the vocab "
                "will be entirely special tokens."
            )
        by_count = by_count[: max_tokens - len(specials)]
    return vocab(dict(by_count), min_freq=min_freq, specials=specials, special_first=special_first)
