"""A Hugging Face ``tokenizers`` tokenizer (a ``tokenizer.json``) as an nlptransfer tokenizer.

Token vectors (model2vec's static models, WordLlama) hold one row per token of a subword
tokenizer, not per word; split with that same tokenizer, every token of every text has a row, so
coverage is complete by construction. The tokenizer is registered in
:data:`~nlptransfer.text.tokenize.TOKENIZERS` as ``hf``, built from a ``tokenizer.json`` path
or its JSON text; special tokens (``<s>``, ``[CLS]``) are not added, as model2vec and WordLlama
leave them out when they embed a text. The ``tokenizers`` package is in the ``static`` extra.

A model folder keeps the tokenizer beside its config: :meth:`HFTokenizer.save_files` writes the
``tokenizer.json`` there and returns the config naming it relative to the folder, and
:func:`~nlptransfer.text.tokenize.tokenizer_from_config` resolves it against the folder.

Example:
    >>> import json
    >>> text = json.dumps({"version": "1.0", "added_tokens": [],
    ...     "normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "Whitespace"},
    ...     "model": {"type": "WordLevel", "unk_token": "[UNK]",
    ...               "vocab": {"[UNK]": 0, "good": 1, "film": 2}}})
    >>> tok = HFTokenizer(tokenizer_json=text)
    >>> tok("A GOOD film")
    ['[UNK]', 'good', 'film']
    >>> vocabulary_tokens(text)
    ['[UNK]', 'good', 'film']
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from pathlib import Path
from typing import Any

from nlptransfer._util.errors import NLPTransferError
from nlptransfer._util.extras import require
from nlptransfer.text.tokenize import Tokenizer

#: The name of the tokenizer file a model folder (or model2vec folder) keeps.
TOKENIZER_FILE = "tokenizer.json"


def _tokenizers_module():
    return require("tokenizers", extra="static", purpose="Hugging Face tokenizers")


def parse_tokenizer_json(text: str, *, source: str = "the tokenizer JSON"):
    """A ``tokenizers.Tokenizer`` from the text of a ``tokenizer.json``, padding and truncation
    off (a batch must not grow ``<pad>`` tokens).

    Raises:
        NLPTransferError: the text is not a tokenizer ``tokenizers`` can read (names ``source``).
        MissingExtraError: ``tokenizers`` is not installed.
    """
    tokenizers = _tokenizers_module()
    try:
        tokenizer = tokenizers.Tokenizer.from_str(text)
    except Exception as exc:  # tokenizers raises its own Exception subclass
        raise NLPTransferError(
            f"{source}: expected a Hugging Face tokenizer.json, found one tokenizers cannot "
            f"read ({exc})"
        ) from None
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def vocabulary_tokens(text: str, *, source: str = "the tokenizer JSON") -> list[str]:
    """The tokens of a ``tokenizer.json`` (added tokens included) in id order: what row ``i`` of
    token vectors made for this tokenizer belongs to.

    Raises:
        NLPTransferError: the ids are not ``0 .. n-1`` (a gap, or two tokens on one id).

    Example:
        >>> import json
        >>> text = json.dumps({"version": "1.0", "model": {"type": "WordLevel",
        ...     "unk_token": "<unk>", "vocab": {"b": 2, "<unk>": 0, "a": 1}}})
        >>> vocabulary_tokens(text)
        ['<unk>', 'a', 'b']
    """
    vocab = parse_tokenizer_json(text, source=source).get_vocab(with_added_tokens=True)
    tokens = sorted(vocab, key=vocab.__getitem__)
    ids = [vocab[t] for t in tokens]
    if ids != list(range(len(tokens))):
        gap = next(i for i, found in enumerate(ids) if found != i)
        raise NLPTransferError(
            f"{source}: expected token ids 0 to {len(tokens) - 1}, found none or several "
            f"tokens with id {gap}"
        )
    return tokens


def tokenizer_digest(text: str) -> str:
    """The SHA-256 of a tokenizer's JSON text (its UTF-8 bytes): what ``sha256`` checks."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class HFTokenizer(Tokenizer):
    """A Hugging Face ``tokenizer.json``: subword tokens, the strings of its vocabulary.

    Args:
        path: the ``tokenizer.json`` file (or any file in that format, such as WordLlama's
            ``*_tokenizer_config.json``).
        tokenizer_json: its text instead of a path (token vectors carry it in their ``meta``).
        sha256: the digest the JSON must have (a model folder records it, so a changed
            ``tokenizer.json`` is refused rather than silently splitting text differently).
        add_special_tokens: add the tokenizer's special tokens (``<s>``, ``[CLS]``); off, as
            model2vec and WordLlama embed texts.
        lowercase, max_tokens: as every tokenizer (lowercasing subword tokens rarely helps:
            the tokenizer's own normalizer already does what its vectors expect).

    Raises:
        ValueError: neither or both of ``path`` and ``tokenizer_json``.
        NLPTransferError: the file is missing or unreadable, or its digest is not ``sha256``.
    """

    name = "hf"

    def __init__(
        self,
        *,
        path: str | Path | None = None,
        tokenizer_json: str | None = None,
        sha256: str | None = None,
        add_special_tokens: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        if (path is None) == (tokenizer_json is None):
            raise ValueError("give the hf tokenizer either path= or tokenizer_json=, not both")
        self.path = str(path) if path is not None else None
        if tokenizer_json is None:
            try:
                tokenizer_json = Path(str(path)).read_text(encoding="utf-8")
            except OSError as exc:
                raise NLPTransferError(
                    f"expected a Hugging Face tokenizer.json at {path}, found none ({exc})"
                ) from None
        self.tokenizer_json = tokenizer_json
        self.sha256 = tokenizer_digest(tokenizer_json)
        if sha256 is not None and sha256 != self.sha256:
            raise NLPTransferError(
                f"{self.path or 'the tokenizer JSON'}: expected SHA-256 {sha256}, found "
                f"{self.sha256}: the tokenizer changed since its config was written"
            )
        self.add_special_tokens = add_special_tokens

    @cached_property
    def _tokenizer(self):
        return parse_tokenizer_json(self.tokenizer_json, source=self.path or "the tokenizer JSON")

    def vocabulary(self) -> list[str]:
        """The tokenizer's tokens in id order (see :func:`vocabulary_tokens`)."""
        return vocabulary_tokens(self.tokenizer_json, source=self.path or "the tokenizer JSON")

    def split(self, text: str) -> list[str]:
        return self._tokenizer.encode(text, add_special_tokens=self.add_special_tokens).tokens

    def split_batch(self, texts: list[str]) -> list[list[str]]:
        encodings = self._tokenizer.encode_batch(texts, add_special_tokens=self.add_special_tokens)
        return [encoding.tokens for encoding in encodings]

    def config(self) -> dict[str, Any]:
        """The options, the file (``None`` when built from JSON text) and the JSON's digest."""
        return {
            **super().config(),
            "path": self.path,
            "sha256": self.sha256,
            "add_special_tokens": self.add_special_tokens,
        }

    def save_files(self, folder: Path) -> dict[str, Any]:
        """Write ``tokenizer.json`` into ``folder``; the config naming it relative to it."""
        (folder / TOKENIZER_FILE).write_text(self.tokenizer_json, encoding="utf-8")
        return {**self.config(), "path": TOKENIZER_FILE}

    def carried_config(self) -> dict[str, Any]:
        """What token vectors keep in ``meta["tokenizer"]``: the config with the JSON text in
        it instead of a path, so the vectors carry their tokenizer wherever they are saved."""
        config = {**self.config(), "tokenizer_json": self.tokenizer_json}
        del config["path"]
        return config

    def __getstate__(self) -> dict[str, Any]:  # worker processes parse the JSON themselves
        state = dict(self.__dict__)
        state.pop("_tokenizer", None)
        return state

    def __repr__(self) -> str:
        where = self.path or f"JSON sha256 {self.sha256[:12]}"
        return f"HFTokenizer({where}, add_special_tokens={self.add_special_tokens})"
