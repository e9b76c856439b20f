"""``Vocab``: tokens <-> ids, with padding at 0 and unknown at 1.

Example:
    >>> vocab = Vocab.build([["a", "good", "movie"], ["a", "bad", "movie"]])
    >>> vocab.tokens
    ['<pad>', '<unk>', 'a', 'movie', 'good', 'bad']
    >>> vocab.encode(["a", "great", "movie"])
    [2, 1, 3]
    >>> vocab.decode([2, 1, 3])
    ['a', '<unk>', 'movie']
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from nlptransfer._util.errors import NLPTransferError
from nlptransfer._util.files import atomic_output


class HasWords(Protocol):
    """Anything with a word list in row order, such as :class:`~nlptransfer.vectors.Vectors`."""

    @property
    def words(self) -> Sequence[str]: ...


PAD = "<pad>"
UNK = "<unk>"
_FORMAT = "nlptransfer-vocab"
_VERSION = 1


class Vocab:
    """A fixed mapping between tokens and ids: ``pad_index == 0``, ``unk_index == 1``.

    Args:
        tokens: the tokens in id order, starting with the padding and unknown tokens.
        counts: how often each token was seen when the vocabulary was built (optional).
    """

    pad_index = 0
    unk_index = 1

    def __init__(self, tokens: Sequence[str], counts: dict[str, int] | None = None) -> None:
        tokens = list(tokens)
        if tokens[:2] != [PAD, UNK]:
            raise ValueError(f"a Vocab starts with {PAD!r} and {UNK!r}, got {tokens[:2]}")
        index = {token: i for i, token in enumerate(tokens)}
        if len(index) != len(tokens):
            dup = next(t for t, n in Counter(tokens).items() if n > 1)
            raise ValueError(f"Vocab tokens must be unique; {dup!r} appears more than once")
        self.tokens = tokens
        self.counts = dict(counts or {})
        self._index = index

    @classmethod
    def build(
        cls,
        token_lists: Iterable[Iterable[str]],
        *,
        min_freq: int = 1,
        max_size: int | None = None,
    ) -> Vocab:
        """Count tokens and keep those seen at least ``min_freq`` times, most frequent first.

        Ties keep the order of first appearance, so the same data always gives the same ids.
        ``max_size`` caps the number of real tokens (padding and unknown not counted).
        """
        if min_freq < 1:
            raise ValueError(f"min_freq must be >= 1, got {min_freq}")
        counts: Counter[str] = Counter()
        for tokens in token_lists:
            counts.update(tokens)
        kept = [(t, n) for t, n in counts.most_common() if n >= min_freq and t not in (PAD, UNK)]
        if max_size is not None:
            kept = kept[:max_size]
        return cls([PAD, UNK, *(t for t, _ in kept)], dict(kept))

    def with_vectors_words(self, vectors: HasWords, max_new: int | None = None) -> Vocab:
        """A new Vocab that also holds the words of ``vectors`` absent from this one.

        For tasks whose test words never occur in training: their pretrained rows then reach the
        model. Words are added in the vectors' own order (most frequent first for published
        vectors), at most ``max_new`` of them.
        """
        new = [w for w in vectors.words if w not in self._index]
        if max_new is not None:
            new = new[:max_new]
        return self.extended(new)

    def extended(self, words: Iterable[str]) -> Vocab:
        """A new Vocab with ``words`` appended (those it already holds are skipped), counts kept.

        Example:
            >>> Vocab.build([["good"]]).extended(["great", "good"]).tokens
            ['<pad>', '<unk>', 'good', 'great']
        """
        new = list(dict.fromkeys(w for w in words if w not in self._index))
        return Vocab([*self.tokens, *new], self.counts)

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: object) -> bool:
        return token in self._index

    def __getitem__(self, token: str) -> int:
        """The id of ``token``; the unknown id for tokens not in the vocabulary."""
        return self._index.get(token, self.unk_index)

    def __iter__(self) -> Iterator[str]:
        return iter(self.tokens)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and self.tokens == other.tokens

    def __repr__(self) -> str:
        return f"Vocab({len(self)} tokens)"

    def lookup_token(self, index: int) -> str:
        """The token with id ``index``."""
        return self.tokens[index]

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Token ids, unknown tokens mapped to ``unk_index``."""
        get = self._index.get
        unk = self.unk_index
        return [get(t, unk) for t in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Tokens for ids (padding included, as ``<pad>``)."""
        return [self.tokens[i] for i in ids]

    def token_counts(self) -> Counter[str]:
        """Each token's count in the data the vocabulary was built from (specials left out).

        What coverage is measured over: ``vectors.coverage(vocab.token_counts())``.
        """
        return Counter({t: self.counts.get(t, 1) for t in self.tokens[2:]})

    # -- storage ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tokens in id order, counts)."""
        return {
            "format": _FORMAT,
            "version": _VERSION,
            "tokens": self.tokens,
            "counts": self.counts,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Vocab:
        """The inverse of :meth:`to_dict`."""
        if data.get("format") != _FORMAT:
            raise NLPTransferError(
                f"expected a {_FORMAT} document, found format {data.get('format')!r}"
            )
        return cls(data["tokens"], data.get("counts"))

    def save(self, path: str | Path) -> Path:
        """Write the vocabulary as JSON (UTF-8, no pickle), atomically."""
        path = Path(path)
        with atomic_output(path) as tmp:
            tmp.write_text(json.dumps(self.to_dict(), ensure_ascii=False), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> Vocab:
        """Read a vocabulary written by :meth:`save`."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise NLPTransferError(
                f"{path}, line {exc.lineno}: expected vocabulary JSON ({exc.msg})"
            ) from None
        return cls.from_dict(data)
