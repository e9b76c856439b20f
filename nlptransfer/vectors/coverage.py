"""How much of a dataset the vectors cover, and by which fallback rule each word was found.

A word the vectors lack as written is often there in another form: lowercased, case-folded or
in Unicode compatibility form (NFKC), without the Penn Treebank escapes of treebank-tokenized
text (SST's ``-lrb-``), with its digits written as ``#`` (word2vec's GoogleNews convention) or
``0``, or, for fastText models, built from its character n-grams. The fallback
rules try those forms in order; each word is credited to the first rule that finds it. The same
rules decide the rows of an embedding matrix (:func:`nlptransfer.vectors.oov.build_matrix`), so
the report says exactly what the model will get.

Rules (:data:`RULES`), the default order being :data:`DEFAULT_RULES`:

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

Example:
    >>> import numpy as np
    >>> from collections import Counter
    >>> from nlptransfer.vectors import Vectors
    >>> v = Vectors(["the", "movie", "##"], np.ones((3, 2), np.float32))
    >>> report = coverage_report(v, [["The", "movie", "42", "zzz"], ["the", "movie"]])
    >>> report.rule_tokens
    {'exact': 3, 'lower': 1, 'casefold': 0, 'ptb': 0, 'digits': 1, 'subword': 0}
    >>> report.token_coverage, report.missing
    (0.8333333333333334, [('zzz', 1)])
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm.auto import tqdm

from nlptransfer._util.progress import progress_enabled

if TYPE_CHECKING:
    from nlptransfer.vectors.store import Vectors

logger = logging.getLogger(__name__)

#: ``Resolution.rows`` value of a word found by its fastText subwords (no row of its own).
SUBWORD_ROW = -2
#: ``Resolution.rows`` value of a word no rule found.
MISSING_ROW = -1

_DIGIT = re.compile(r"\d")
_FOLDED_CACHE = "_folded_index_cache"


# -- looking words up ------------------------------------------------------------------------
def normalize_form(word: str) -> str:
    """The case-folded NFKC form under which the ``casefold`` rule matches words.

    Example:
        >>> normalize_form("Ｓtraße"), normalize_form("ﬁne")
        ('strasse', 'fine')
    """
    return unicodedata.normalize("NFKC", word).casefold()


class Lookup:
    """A word -> row index over some vectors, plus the folded index, built on first use.

    Example:
        >>> import numpy as np
        >>> from nlptransfer.vectors import Vectors
        >>> lookup = Lookup(Vectors(["Paris", "paris"], np.eye(2, dtype=np.float32)))
        >>> lookup.row("paris"), lookup.folded_row("PARIS")
        (1, 0)
    """

    def __init__(self, vectors: Vectors) -> None:
        self.vectors = vectors
        self.index = vectors.key_to_index
        self._folded: dict[str, int] | None = None

    def row(self, word: str) -> int | None:
        """The row of ``word`` exactly as written."""
        return self.index.get(word)

    def folded_row(self, word: str) -> int | None:
        """The first row whose :func:`normalize_form` equals that of ``word``."""
        if self._folded is None:
            self._folded = folded_index(self.vectors)
        return self._folded.get(normalize_form(word))


def folded_index(vectors: Vectors) -> dict[str, int]:
    """:func:`normalize_form` of each word -> its first row; built once, cached on ``vectors``.

    Example:
        >>> import numpy as np
        >>> from nlptransfer.vectors import Vectors
        >>> folded_index(Vectors(["Ａb", "ab"], np.eye(2, dtype=np.float32)))
        {'ab': 0}
    """
    words = vectors.words
    cached = vectors.__dict__.get(_FOLDED_CACHE)
    if cached is not None and cached[0] is words and cached[2] == len(words):
        return cached[1]
    folded: dict[str, int] = {}
    for row, known in enumerate(words):
        folded.setdefault(normalize_form(known), row)
    vectors.__dict__[_FOLDED_CACHE] = (words, folded, len(words))
    return folded


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


def _per_word(find_one: Callable[[Lookup, str], int | None]) -> Callable:
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
    subwords = lookup.vectors.subwords
    if subwords is None or not words:
        return [None] * len(words)
    composed = subwords.vectors(list(words))
    has_ngrams = np.any(composed != 0, axis=1)
    return [SUBWORD_ROW if ok else None for ok in has_ngrams.tolist()]


#: Every fallback rule by name.
RULES: dict[str, FallbackRule] = {
    rule.name: rule
    for rule in (
        FallbackRule("exact", "the word as written", _per_word(_exact)),
        FallbackRule("lower", "the lowercased word", _per_word(_lower)),
        FallbackRule("casefold", "NFKC form, then equal up to Unicode case", _per_word(_casefold)),
        FallbackRule("ptb", "Penn Treebank escapes undone (-lrb- is '(')", _per_word(_ptb)),
        FallbackRule("digits", "digits written as # (word2vec) or 0", _per_word(_digits)),
        FallbackRule("subword", "fastText vector from character n-grams", _subword),
        FallbackRule("recase", "Capitalized or UPPER form", _per_word(_recase)),
    )
}
#: The rules tried by default, in order.
DEFAULT_RULES: tuple[str, ...] = ("exact", "lower", "casefold", "ptb", "digits", "subword")


def get_rules(rules: Iterable[str | FallbackRule]) -> list[FallbackRule]:
    """Rules by name (or as given), checked: unknown names raise ``ValueError``.

    Example:
        >>> [r.name for r in get_rules(["exact", "lower"])]
        ['exact', 'lower']
    """
    found = []
    for rule in rules:
        if isinstance(rule, FallbackRule):
            found.append(rule)
        elif rule in RULES:
            found.append(RULES[rule])
        else:
            raise ValueError(f"expected fallback rules among {sorted(RULES)}, got {rule!r}")
    names = [r.name for r in found]
    if len(set(names)) != len(names):
        raise ValueError(f"expected each fallback rule once, got {names}")
    return found


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
    vectors: Vectors, words: Sequence[str], rules: Iterable[str | FallbackRule] = DEFAULT_RULES
) -> Resolution:
    """Apply the fallback rules in order to ``words``; each word gets the first rule that hits.

    Example:
        >>> import numpy as np
        >>> from nlptransfer.vectors import Vectors
        >>> v = Vectors(["the", "cat"], np.eye(2, dtype=np.float32))
        >>> r = resolve(v, ["The", "cat", "dog"])
        >>> r.rows.tolist(), r.rules
        ([0, 1, -1], ['lower', 'exact', None])
    """
    lookup = Lookup(vectors)
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


# -- the report ------------------------------------------------------------------------------
@dataclass
class CoverageReport:
    """Types and tokens covered, per fallback rule, and the most frequent words left out.

    Attributes:
        types: distinct words.
        tokens: occurrences (each word's count summed).
        rule_types: per rule (in the order tried), the distinct words it found.
        rule_tokens: per rule, the occurrences of those words.
        missing: the most frequent words no rule found, ``(word, count)``, most frequent first.
        missing_types: how many distinct words no rule found.
        missing_tokens: their occurrences.
        vectors: what the vectors were (their source), for the title.
        rule_of: covered word -> the rule that found it (left out of :meth:`to_dict`).
    """

    types: int
    tokens: int
    rule_types: dict[str, int]
    rule_tokens: dict[str, int]
    missing: list[tuple[str, int]]
    missing_types: int
    missing_tokens: int
    vectors: str | None = None
    rule_of: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def covered_types(self) -> int:
        """Distinct words some rule found."""
        return self.types - self.missing_types

    @property
    def covered_tokens(self) -> int:
        """Occurrences of the words some rule found."""
        return self.tokens - self.missing_tokens

    @property
    def type_coverage(self) -> float:
        """Share of distinct words covered (1.0 for no words)."""
        return self.covered_types / self.types if self.types else 1.0

    @property
    def token_coverage(self) -> float:
        """Share of occurrences covered (1.0 for no words)."""
        return self.covered_tokens / self.tokens if self.tokens else 1.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: totals, coverage shares, per-rule hits and missing words."""
        return {
            "vectors": self.vectors,
            "types": self.types,
            "tokens": self.tokens,
            "covered_types": self.covered_types,
            "covered_tokens": self.covered_tokens,
            "type_coverage": self.type_coverage,
            "token_coverage": self.token_coverage,
            "rules": {
                name: {"types": self.rule_types[name], "tokens": self.rule_tokens[name]}
                for name in self.rule_types
            },
            "missing_types": self.missing_types,
            "missing_tokens": self.missing_tokens,
            "missing": [{"word": w, "count": c} for w, c in self.missing],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON (non-ASCII words kept as they are)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def table(self) -> str:
        """A plain-text table: one line per rule, then covered and missing, then missing words.

        Example:
            >>> import numpy as np
            >>> from nlptransfer.vectors import Vectors
            >>> v = Vectors(["a"], np.ones((1, 2), np.float32))
            >>> print(coverage_report(v, [["a", "A", "b"]], rules=["exact", "lower"]).table())
            coverage: 3 tokens, 3 types
            rule       types  types %  tokens  tokens %
            exact          1    33.3%       1     33.3%
            lower          1    33.3%       1     33.3%
            covered        2    66.7%       2     66.7%
            missing        1    33.3%       1     33.3%
            most frequent missing: b (1)
        """
        title = f"coverage: {self.tokens:,} tokens, {self.types:,} types"
        if self.vectors:
            title += f" by {self.vectors}"
        lines = [title]
        rows = [(name, self.rule_types[name], self.rule_tokens[name]) for name in self.rule_types]
        rows += [
            ("covered", self.covered_types, self.covered_tokens),
            ("missing", self.missing_types, self.missing_tokens),
        ]
        width = max(len("covered"), *(len(name) for name, _, _ in rows))
        lines.append(
            f"{'rule':<{width}}  {'types':>7}  {'types %':>7}  {'tokens':>6}  {'tokens %':>8}"
        )
        for name, n_types, n_tokens in rows:
            lines.append(
                f"{name:<{width}}  {n_types:>7,}  {_percent(n_types, self.types):>7}  "
                f"{n_tokens:>6,}  {_percent(n_tokens, self.tokens):>8}"
            )
        if self.missing:
            shown = ", ".join(f"{word} ({count:,})" for word, count in self.missing)
            lines.append(f"most frequent missing: {shown}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def count_tokens(
    data: Mapping[str, int] | Iterable[Iterable[str]], progress: bool | None = None
) -> Counter:
    """Token counts of a ``Counter``/mapping (as is) or of an iterable of token lists.

    Raises:
        TypeError: the items are strings rather than token lists (tokenize them first).

    Example:
        >>> count_tokens([["a", "b"], ["a"]])
        Counter({'a': 2, 'b': 1})
    """
    if isinstance(data, Mapping):
        return Counter(data)
    counts: Counter = Counter()
    items = tqdm(
        data,
        desc="counting tokens",
        unit=" examples",
        disable=not progress_enabled(progress),
        delay=1.0,
        leave=False,
    )
    for tokens in items:
        if isinstance(tokens, str):
            raise TypeError(
                "expected an iterable of token lists (e.g. [['a', 'good', 'movie']]) or a Counter, "
                f"found a string item {tokens[:40]!r}: tokenize the texts first, or wrap one "
                "list of tokens as [tokens]"
            )
        counts.update(tokens)
    return counts


def coverage_report(
    vectors: Vectors,
    data: Mapping[str, int] | Iterable[Iterable[str]],
    *,
    rules: Iterable[str | FallbackRule] = DEFAULT_RULES,
    top_missing: int = 20,
    progress: bool | None = None,
) -> CoverageReport:
    """How much of ``data`` the vectors cover, by fallback rule, with the words left out.

    Args:
        vectors: the vectors.
        data: an iterable of token lists (one per example) or a ``Counter`` of tokens.
        rules: fallback rules to try, in order (names from :data:`RULES`).
        top_missing: how many of the most frequent missing words to list.
        progress: a progress bar while counting (default: on a terminal or in Jupyter, see ``progress_enabled``).

    Example:
        >>> from nlptransfer import load_vectors
        >>> glove = load_vectors("glove-6b-50d")
        >>> report = coverage_report(glove, [["A", "good", "fiiilm", "in", "１９９９"]])
        >>> report.rule_of
        {'A': 'lower', 'good': 'exact', 'in': 'exact', '１９９９': 'casefold'}
        >>> report.missing
        [('fiiilm', 1)]
    """
    counts = count_tokens(data, progress)
    words = list(counts)
    resolution = resolve(vectors, words, rules)
    return report_from_resolution(resolution, counts, rules, top_missing, vectors.source)


def report_from_resolution(
    resolution: Resolution,
    counts: Mapping[str, int],
    rules: Iterable[str | FallbackRule] = DEFAULT_RULES,
    top_missing: int = 20,
    source: str | None = None,
) -> CoverageReport:
    """A :class:`CoverageReport` for resolved words weighted by ``counts`` (default 1 each).

    Example:
        >>> import numpy as np
        >>> from nlptransfer.vectors import Vectors
        >>> v = Vectors(["a"], np.ones((1, 2), np.float32))
        >>> report = report_from_resolution(resolve(v, ["a", "b"]), {"a": 3})
        >>> report.tokens, report.missing
        (4, [('b', 1)])
    """
    names = [rule.name for rule in get_rules(rules)]
    rule_types = dict.fromkeys(names, 0)
    rule_tokens = dict.fromkeys(names, 0)
    rule_of: dict[str, str] = {}
    missing: Counter = Counter()
    seen: set[str] = set()
    tokens = 0
    for word, rule in zip(resolution.words, resolution.rules, strict=True):
        if word in seen:
            continue
        seen.add(word)
        count = int(counts.get(word, 1))
        tokens += count
        if rule is None:
            missing[word] = count
        else:
            rule_types[rule] += 1
            rule_tokens[rule] += count
            rule_of[word] = rule
    return CoverageReport(
        types=len(seen),
        tokens=tokens,
        rule_types=rule_types,
        rule_tokens=rule_tokens,
        missing=missing.most_common(top_missing),
        missing_types=len(missing),
        missing_tokens=sum(missing.values()),
        vectors=source,
        rule_of=rule_of,
    )
