"""How much of a dataset the vectors cover, and by which fallback rule each word was found.

The words are resolved by the fallback rules of :mod:`nlptransfer.vectors.fallback` (the same
resolution that decides the rows of an embedding matrix), and :class:`CoverageReport` counts
types and tokens per rule and lists the most frequent words no rule found. Ask for one with
``vectors.coverage(data)``; :func:`coverage_report` is the function behind it.

Example:
    >>> import numpy as np
    >>> from nlptransfer.vectors import Vectors
    >>> v = Vectors(["the", "movie", "##"], np.ones((3, 2), np.float32))
    >>> report = v.coverage([["The", "movie", "42", "zzz"], ["the", "movie"]])
    >>> report.rule_tokens
    {'exact': 3, 'lower': 1, 'casefold': 0, 'ptb': 0, 'digits': 1, 'subword': 0}
    >>> report.token_coverage, report.missing
    (0.8333333333333334, [('zzz', 1)])
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tqdm.auto import tqdm

from nlptransfer._util.progress import progress_enabled
from nlptransfer.vectors.fallback import (
    DEFAULT_RULES,
    FallbackRule,
    Lookup,
    Resolution,
    get_rules,
    resolve,
)


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
            >>> lookup = Lookup.of_words(["a"])
            >>> print(coverage_report(lookup, [["a", "A", "b"]], rules=["exact", "lower"]).table())
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
    lookup: Lookup,
    data: Mapping[str, int] | Iterable[Iterable[str]],
    *,
    rules: Iterable[str | FallbackRule] = DEFAULT_RULES,
    top_missing: int = 20,
    progress: bool | None = None,
    source: str | None = None,
) -> CoverageReport:
    """How much of ``data`` a vocabulary covers, by fallback rule, with the words left out.

    What ``vectors.coverage(data, ...)`` runs, with ``lookup = vectors.lookup()``.

    Args:
        lookup: the vocabulary the rules search (``Vectors.lookup()``).
        data: an iterable of token lists (one per example) or a ``Counter`` of tokens.
        rules: fallback rules to try, in order (names from
            :data:`~nlptransfer.vectors.fallback.FALLBACK_RULES`).
        top_missing: how many of the most frequent missing words to list.
        progress: a progress bar while counting (default: on a terminal or in Jupyter, see
            ``progress_enabled``).
        source: what the vectors are, for the report's title.

    Example:
        >>> lookup = Lookup.of_words(["a", "good", "in", "1999"])
        >>> report = coverage_report(lookup, [["A", "good", "fiiilm", "in", "１９９９"]])
        >>> report.rule_of
        {'A': 'lower', 'good': 'exact', 'in': 'exact', '１９９９': 'casefold'}
        >>> report.missing
        [('fiiilm', 1)]
    """
    counts = count_tokens(data, progress)
    resolution = resolve(lookup, list(counts), rules)
    return report_from_resolution(resolution, counts, rules, top_missing, source)


def report_from_resolution(
    resolution: Resolution,
    counts: Mapping[str, int],
    rules: Iterable[str | FallbackRule] = DEFAULT_RULES,
    top_missing: int = 20,
    source: str | None = None,
) -> CoverageReport:
    """A :class:`CoverageReport` for resolved words weighted by ``counts`` (default 1 each).

    Example:
        >>> resolution = resolve(Lookup.of_words(["a"]), ["a", "b"])
        >>> report = report_from_resolution(resolution, {"a": 3})
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
