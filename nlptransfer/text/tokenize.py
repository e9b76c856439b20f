"""Tokenizers: spaCy's rule-based English tokenizer (the default), whitespace, regex, and a
Hugging Face ``tokenizer.json`` (``hf``, :mod:`nlptransfer.text.hf_tokenizer`) for token vectors.

Each tokenizer is a callable ``text -> list[str]`` with a batched ``tokenize_batch`` and a
``config()`` dict that :func:`tokenizer_from_config` turns back into the same tokenizer, so a
trained model folder can record exactly how its text was split.

The names live in :data:`TOKENIZERS`; other packages add tokenizers (a :class:`Tokenizer`
subclass, called with the options as keywords) through the entry point group
``nlptransfer.tokenizers``.

Example:
    >>> tok = get_tokenizer("spacy", lowercase=True)
    >>> tok("It's a GREAT movie!")
    ['it', "'s", 'a', 'great', 'movie', '!']
    >>> get_tokenizer("whitespace")("a  b\\tc")
    ['a', 'b', 'c']
    >>> get_tokenizer("regex", pattern=r"[a-z]+")("abc, def")
    ['abc', 'def']
    >>> TOKENIZERS.names()[:3]
    ('spacy', 'whitespace', 'regex')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Any

from nlptransfer._util.errors import ModelFolderError
from nlptransfer._util.extras import require
from nlptransfer._util.registry import Registry
from nlptransfer.text.pattern_safety import check_pattern

#: Tokenizers by name: each a :class:`Tokenizer` subclass, called with its options as keywords.
TOKENIZERS: Registry[type[Tokenizer]] = Registry("tokenizer", "nlptransfer.tokenizers")


class Tokenizer:
    """Base class: splits text into tokens, then lowercases and truncates as configured.

    Args:
        lowercase: lowercase every token (Unicode-aware ``str.lower``, independent of locale).
        max_tokens: keep at most this many tokens per text (``None``: all).
    """

    name = "base"

    def __init__(self, *, lowercase: bool = False, max_tokens: int | None = None) -> None:
        if max_tokens is not None and max_tokens < 1:
            raise ValueError(f"max_tokens must be >= 1 or None, got {max_tokens}")
        self.lowercase = lowercase
        self.max_tokens = max_tokens

    def split(self, text: str) -> list[str]:
        """Split one text into raw tokens (subclasses implement this)."""
        raise NotImplementedError

    def split_batch(self, texts: list[str]) -> list[list[str]]:
        """Split many texts; subclasses may do it faster than one at a time."""
        return [self.split(text) for text in texts]

    def _finish(self, tokens: list[str]) -> list[str]:
        if self.max_tokens is not None:
            tokens = tokens[: self.max_tokens]
        if self.lowercase:
            tokens = [t.lower() for t in tokens]
        return tokens

    def __call__(self, text: str) -> list[str]:
        return self._finish(self.split(text))

    def tokenize_batch(self, texts: Iterable[str]) -> list[list[str]]:
        """Tokenize many texts at once.

        >>> get_tokenizer("whitespace", max_tokens=2).tokenize_batch(["a b c", "d"])
        [['a', 'b'], ['d']]
        """
        return [self._finish(tokens) for tokens in self.split_batch(list(texts))]

    def config(self) -> dict[str, Any]:
        """A JSON-ready description that :func:`tokenizer_from_config` turns back into this."""
        return {"name": self.name, "lowercase": self.lowercase, "max_tokens": self.max_tokens}

    def save_files(self, folder: Path) -> dict[str, Any]:
        """Write the files this tokenizer needs into ``folder`` (a model folder being written)
        and return its config, naming them relative to ``folder``; most tokenizers need none.

        >>> get_tokenizer("whitespace").save_files(Path("unused")) == {
        ...     "name": "whitespace", "lowercase": False, "max_tokens": None}
        True
        """
        return self.config()

    def __repr__(self) -> str:
        options = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "name")
        return f"{type(self).__name__}({options})"


@TOKENIZERS.register("spacy")
class SpacyTokenizer(Tokenizer):
    """spaCy's rule-based English tokenizer (``spacy.blank("en")``): no model download needed."""

    name = "spacy"

    def __init__(self, *, language: str = "en", **options: Any) -> None:
        super().__init__(**options)
        self.language = language

    @cached_property
    def _nlp(self):
        spacy = require("spacy", extra="torch", purpose="spaCy tokenizers")
        return spacy.blank(self.language)

    def split(self, text: str) -> list[str]:
        return [t.text for t in self._nlp.tokenizer(text) if not t.is_space]

    def split_batch(self, texts: list[str]) -> list[list[str]]:
        return [
            [t.text for t in doc if not t.is_space]
            for doc in self._nlp.tokenizer.pipe(texts, batch_size=2048)
        ]

    def config(self) -> dict[str, Any]:
        return {**super().config(), "language": self.language}

    def __getstate__(self) -> dict[str, Any]:  # worker processes rebuild spaCy themselves
        state = dict(self.__dict__)
        state.pop("_nlp", None)
        return state


@TOKENIZERS.register("whitespace")
class WhitespaceTokenizer(Tokenizer):
    """Splits on runs of whitespace (for text that is already tokenised, like the Kim suite)."""

    name = "whitespace"

    def split(self, text: str) -> list[str]:
        return text.split()


@TOKENIZERS.register("regex")
class RegexTokenizer(Tokenizer):
    """Tokens are the matches of a regular expression (default: words, or single symbols)."""

    name = "regex"
    DEFAULT_PATTERN = r"\w+(?:'\w+)?|[^\w\s]"

    def __init__(self, *, pattern: str = DEFAULT_PATTERN, **options: Any) -> None:
        super().__init__(**options)
        check_pattern(pattern)
        self.pattern = pattern
        self._regex = re.compile(pattern)

    def split(self, text: str) -> list[str]:
        return self._regex.findall(text)

    def config(self) -> dict[str, Any]:
        return {**super().config(), "pattern": self.pattern}


#: Subword tokens of a Hugging Face ``tokenizer.json`` (needs the ``static`` extra).
TOKENIZERS.register("hf", "nlptransfer.text.hf_tokenizer:HFTokenizer")


class MemoizedTokenizer(Tokenizer):
    """Wraps a tokenizer and remembers each text's tokens, so texts seen before cost nothing.

    A benchmark grid tokenizes the same dev and test texts in every run; with spaCy on IMDB
    that is most of a minute each time. Memory grows with the distinct texts seen.

    Example:
        >>> tok = MemoizedTokenizer(get_tokenizer("whitespace", lowercase=True))
        >>> tok.tokenize_batch(["A b", "A b"]), len(tok.memo)
        ([['a', 'b'], ['a', 'b']], 1)
        >>> tok.config() == get_tokenizer("whitespace", lowercase=True).config()
        True
    """

    def __init__(self, inner: Tokenizer) -> None:
        super().__init__(lowercase=inner.lowercase, max_tokens=inner.max_tokens)
        self.inner = inner
        self.name = inner.name
        self.memo: dict[str, list[str]] = {}

    def __call__(self, text: str) -> list[str]:
        return self.tokenize_batch([text])[0]

    def tokenize_batch(self, texts: Iterable[str]) -> list[list[str]]:
        texts = list(texts)
        new = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if new:
            self.memo.update(zip(new, self.inner.tokenize_batch(new), strict=True))
        return [list(self.memo[t]) for t in texts]  # copies: callers may change their lists

    def config(self) -> dict[str, Any]:
        return self.inner.config()

    def save_files(self, folder: Path) -> dict[str, Any]:
        return self.inner.save_files(folder)


def get_tokenizer(name: str = "spacy", **options: Any) -> Tokenizer:
    """Build a tokenizer by its name in :data:`TOKENIZERS`: ``spacy`` (default), ``whitespace``,
    ``regex``, ``hf`` (``path=`` a ``tokenizer.json``), or an installed plugin's. Its ``name`` is the registered name, so its
    :meth:`~Tokenizer.config` rebuilds it through :func:`tokenizer_from_config`.

    Raises:
        UnknownNameError: no tokenizer has that name (a ``ValueError`` naming the close matches).

    Example:
        >>> get_tokenizer("Whitespace", lowercase=True)("Hello  World")
        ['hello', 'world']
    """
    key = TOKENIZERS.canonical(name)
    tokenizer = TOKENIZERS.get(key)(**options)
    tokenizer.name = key
    return tokenizer


def tokenizer_from_config(config: dict[str, Any], *, folder: Path | None = None) -> Tokenizer:
    """Rebuild a tokenizer from :meth:`Tokenizer.config` (or :meth:`Tokenizer.save_files`).

    A ``path`` in the config names a file in ``folder`` (the model folder it was saved into);
    one outside it (absolute, or climbing out with ``..``) is refused with
    :class:`~nlptransfer.errors.ModelFolderError`. A ``regex`` tokenizer's pattern is checked by
    :func:`check_pattern`.

    >>> tok = get_tokenizer("regex", lowercase=True)
    >>> tokenizer_from_config(tok.config())("Hi there")
    ['hi', 'there']
    """
    options = dict(config)
    path = options.get("path")
    if folder is not None and isinstance(path, str):
        inside = Path(folder).resolve()
        if Path(path).is_absolute() or not (inside / path).resolve().is_relative_to(inside):
            raise ModelFolderError(
                f"{Path(folder) / 'config.json'}: expected the tokenizer's path to name a file "
                f"inside the folder, found {path!r}"
            )
        options["path"] = str(Path(folder) / path)
    return get_tokenizer(options.pop("name"), **options)
