"""Fallback rules: how a word the vectors lack as written is found in another form.

A word is often there lowercased, case-folded or in Unicode compatibility form (NFKC), without
the Penn Treebank escapes of treebank-tokenized text (SST's ``-lrb-``), with its digits written
as ``#`` (word2vec's GoogleNews convention) or ``0``, or, for fastText models, built from its
character n-grams. :func:`resolve` tries the rules in order; each word is credited to the first
rule that finds it. The same resolution decides the rows of an embedding matrix
(:func:`nlptransfer.vectors.oov.build_matrix`) and the coverage report
(:mod:`nlptransfer.vectors.coverage`), so the report says exactly what the model will get.

Rules (:data:`FALLBACK_RULES`, a :class:`~nlptransfer._util.registry.Registry`; plugins add
theirs through the ``nlptransfer.fallback_rules`` entry point group), the default order being
:data:`DEFAULT_RULES`:

- ``exact``: the word as written;
- ``lower``: ``word.lower()``;
- ``casefold``: NFKC normalisation, then any vocabulary word equal up to case
  (``casefold()``, full Unicode folding: ``"STRASSE"`` finds ``"straße"``); the first row wins;
- ``ptb``: Penn Treebank escapes undone, as in SST and other treebank-tokenized text:
  ``-LRB-``/``-lrb-`` is ``(``, ``-RSB-`` is ``]``, ``-LCB-`` is ``{`` ..., and ``\\/`` or
  ``\\*`` lose their backslash (``writer\\/director`` -> ``writer/director``);
- ``digits``: every digit replaced by ``#``, then by ``0`` (as written, then lowercased);
- ``subword``: fastText's vector from character n-grams (only vectors with a subword model, and
  only words with at least one n-gram in the model);
- ``recase``: ``Capitalized`` and ``UPPER`` forms, for cased vectors and lowercased text (not in
  the default order).

The rules search a :class:`Lookup` (``Vectors.lookup()`` gives one), never ``Vectors`` itself.

Example:
    >>> r = resolve(Lookup.of_words(["the", "movie", "##"]), ["The", "movie", "42", "zzz"])
    >>> r.rows.tolist(), r.rules
    ([0, 1, 2, -1], ['lower', 'exact', 'digits', None])
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nlptransfer._util.registry import Registry

#: ``Resolution.rows`` value of a word found by its fastText subwords (no row of its own).
SUBWORD_ROW = -2
#: ``Resolution.rows`` value of a word no rule found.
MISSING_ROW = -1

_DIGIT = re.compile(r"\d")


# -- what the rules search -------------------------------------------------------------------
def normalize_form(word: str) -> str:
    """The case-folded NFKC form under which the ``casefold`` rule matches words.

    Example:
        >>> normalize_form("Ｓtraße"), normalize_form("ﬁne")
        ('strasse', 'fine')
    """
    return unicodedata.normalize("NFKC", word).casefold()


def folded_index(words: Sequence[str]) -> dict[str, int]:
    """:func:`normalize_form` of each word -> its first row.

    Example:
        >>> folded_index(["Ａb", "ab"])
        {'ab': 0}
    """
    folded: dict[str, int] = {}
    for row, known in enumerate(words):
        folded.setdefault(normalize_form(known), row)
    return folded


@dataclass
class Lookup:
    """The vocabulary as the fallback rules see it: word -> row, the folded index, subwords.

    Attributes:
        index: word -> row.
        folded: returns :func:`folded_index` of the words; called once, when a rule needs it
            (``Vectors`` hands its cached one).
        subwords: the fastText subword model, or ``None``.

    Example:
        >>> lookup = Lookup.of_words(["Paris", "paris"])
        >>> lookup.row("paris"), lookup.folded_row("PARIS")
        (1, 0)
    """

    index: Mapping[str, int]
    folded: Callable[[], Mapping[str, int]] = field(repr=False)
    subwords: Any = field(default=None, repr=False)
    _folded: Mapping[str, int] | None = field(default=None, init=False, repr=False)

    @classmethod
    def of_words(cls, words: Sequence[str], subwords: Any = None) -> Lookup:
        """A lookup over a plain word list (row ``i`` is ``words[i]``)."""
        return cls({w: i for i, w in enumerate(words)}, lambda: folded_index(words), subwords)

    def row(self, word: str) -> int | None:
        """The row of ``word`` exactly as written."""
        return self.index.get(word)

    def folded_row(self, word: str) -> int | None:
        """The first row whose :func:`normalize_form` equals that of ``word``."""
        if self._folded is None:
            self._folded = self.folded()
        return self._folded.get(normalize_form(word))


# -- the rules -------------------------------------------------------------------------------
@dataclass(frozen=True)
class FallbackRule:
    """One way of finding a word the vectors lack as written.

    Attributes:
        name: the rule's name in reports (``exact``, ``lower``, ...).
        description: one line for humans.
        find: ``find(lookup, words)`` gives, per word, a row, :data:`SUBWORD_ROW` or ``None``.
    """

    name: str
    description: str
    find: Callable[[Lookup, Sequence[str]], list[int | None]] = field(repr=False)


#: Every fallback rule by name, in the order they are listed.
FALLBACK_RULES: Registry[FallbackRule] = Registry("fallback rule", "nlptransfer.fallback_rules")
#: The rules tried by default, in order.
DEFAULT_RULES: tuple[str, ...] = ("exact", "lower", "casefold", "ptb", "digits", "subword")


def per_word(
    find_one: Callable[[Lookup, str], int | None],
) -> Callable[[Lookup, Sequence[str]], list[int | None]]:
    """A rule's ``find`` from a function that looks up one word at a time.

    Example:
        >>> backwards = FallbackRule("backwards", "the word reversed",
        ...                          per_word(lambda lookup, word: lookup.row(word[::-1])))
        >>> resolve(Lookup.of_words(["tac"]), ["cat", "tac"], ["exact", backwards]).rules
        ['backwards', 'exact']
    """

    def find(lookup: Lookup, words: Sequence[str]) -> list[int | None]:
        return [find_one(lookup, word) for word in words]

    return find


def _exact(lookup: Lookup, word: str) -> int | None:
    return lookup.row(word)


def _lower(lookup: Lookup, word: str) -> int | None:
    lower = word.lower()
    return lookup.row(lower) if lower != word else None


def _casefold(lookup: Lookup, word: str) -> int | None:
    nfkc = unicodedata.normalize("NFKC", word)
    row = lookup.row(nfkc) if nfkc != word else None
    return row if row is not None else lookup.folded_row(nfkc)


_PTB_BRACKETS = {"-lrb-": "(", "-rrb-": ")", "-lsb-": "[", "-rsb-": "]", "-lcb-": "{", "-rcb-": "}"}


def _ptb(lookup: Lookup, word: str) -> int | None:
    bracket = _PTB_BRACKETS.get(word.lower())
    if bracket is not None:
        return lookup.row(bracket)
    if "\\" not in word:
        return None
    plain = word.replace("\\/", "/").replace("\\*", "*")
    if plain == word:
        return None
    return next((r for c in (plain, plain.lower()) if (r := lookup.row(c)) is not None), None)


def _digits(lookup: Lookup, word: str) -> int | None:
    if not _DIGIT.search(word):
        return None
    for replacement in ("#", "0"):
        form = _DIGIT.sub(replacement, word)
        for candidate in (form, form.lower()):
            row = lookup.row(candidate)
            if row is not None:
                return row
    return None


def _recase(lookup: Lookup, word: str) -> int | None:
    for form in (word.capitalize(), word.upper()):
        if form != word and (row := lookup.row(form)) is not None:
            return row
    return None


def _subword(lookup: Lookup, words: Sequence[str]) -> list[int | None]:
    subwords = lookup.subwords
    if subwords is None or not words:
        return [None] * len(words)
    composed = subwords.vectors(list(words))
    has_ngrams = np.any(composed != 0, axis=1)
    return [SUBWORD_ROW if ok else None for ok in has_ngrams.tolist()]


for _rule in (
    FallbackRule("exact", "the word as written", per_word(_exact)),
    FallbackRule("lower", "the lowercased word", per_word(_lower)),
    FallbackRule("casefold", "NFKC form, then equal up to Unicode case", per_word(_casefold)),
    FallbackRule("ptb", "Penn Treebank escapes undone (-lrb- is '(')", per_word(_ptb)),
    FallbackRule("digits", "digits written as # (word2vec) or 0", per_word(_digits)),
    FallbackRule("subword", "fastText vector from character n-grams", _subword),
    FallbackRule("recase", "Capitalized or UPPER form", per_word(_recase)),
):
    FALLBACK_RULES.register(_rule.name, _rule)


def get_rules(rules: Iterable[str | FallbackRule]) -> list[FallbackRule]:
    """Rules by name (from :data:`FALLBACK_RULES`) or as given, each at most once.

    Raises:
        UnknownNameError: a name no rule has (a ``ValueError``, with close matches).
        ValueError: a rule given twice.

    Example:
        >>> [r.name for r in get_rules(["exact", "lower"])]
        ['exact', 'lower']
        >>> get_rules(["exact", "lowr"])
        Traceback (most recent call last):
        ...
        nlptransfer._util.errors.UnknownNameError: unknown fallback rule 'lowr'; did you mean 'lower'? (known: exact, lower, casefold, ptb, digits, subword, recase)
    """
    found = [rule if isinstance(rule, FallbackRule) else FALLBACK_RULES.get(rule) for rule in rules]
    names = [r.name for r in found]
    if len(set(names)) != len(names):
        raise ValueError(f"expected each fallback rule once, got {names}")
    return found


# -- resolution ------------------------------------------------------------------------------
@dataclass
class Resolution:
    """Where each word's vector comes from.

    Attributes:
        words: the words, as given.
        rows: per word, its row in the vectors, :data:`SUBWORD_ROW` or :data:`MISSING_ROW`.
        rules: per word, the name of the rule that found it, or ``None``.
    """

    words: list[str]
    rows: np.ndarray
    rules: list[str | None]

    @property
    def found(self) -> np.ndarray:
        """Boolean mask of the words some rule found."""
        return self.rows != MISSING_ROW


def resolve(
    lookup: Lookup, words: Sequence[str], rules: Iterable[str | FallbackRule] = DEFAULT_RULES
) -> Resolution:
    """Apply the fallback rules in order to ``words``; each word gets the first rule that hits.

    Example:
        >>> r = resolve(Lookup.of_words(["the", "cat"]), ["The", "cat", "dog"])
        >>> r.rows.tolist(), r.rules, r.found.tolist()
        ([0, 1, -1], ['lower', 'exact', None], [True, True, False])
    """
    rows = np.full(len(words), MISSING_ROW, dtype=np.int64)
    names: list[str | None] = [None] * len(words)
    pending = list(range(len(words)))
    for rule in get_rules(rules):
        if not pending:
            break
        hits = rule.find(lookup, [words[i] for i in pending])
        still = []
        for i, row in zip(pending, hits, strict=True):
            if row is None:
                still.append(i)
            else:
                rows[i] = row
                names[i] = rule.name
        pending = still
    return Resolution(list(words), rows, names)
