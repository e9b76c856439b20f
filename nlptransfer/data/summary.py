"""What was read, on one screen: rows, classes, text lengths, vector coverage, leaked duplicates.

Before any training, :func:`summarize_dataset` says what a dataset is: rows per split, classes
and their counts per split, text lengths in tokens (percentiles), how much of the text the
vectors cover (tokens and distinct words, with the most frequent words they miss) and how many
test texts are exact copies of training texts (a leak that inflates test accuracy).
``nlptransfer train`` shows it and keeps it in the model folder (``data-summary.json``); bench
grids keep one per dataset beside their results.

Example:
    >>> split = {"text": ["a fine film", "dull", "a fine film"], "label": [1, 0, 1]}
    >>> summary = summarize_dataset({"train": split, "test": {"text": ["a fine film"], "label": [1]}})
    >>> summary.rows, summary.duplicates.count
    ({'train': 3, 'test': 1}, 1)
    >>> print(summary.render())  # doctest: +NORMALIZE_WHITESPACE
    data: 4 rows (train 3, test 1), 2 classes
    class      train    test
    0         1 (33%)  0 (0%)
    1         2 (67%)  1 (100%)
    tokens per text  p5  p50  p95  max  (regex tokenizer)
      train           1    3    3    3
      test            3    3    3    3
    vectors: none given (no coverage)
    train/test duplicates: 1 of 1 test texts also in train (e.g. 'a fine film')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from nlptransfer.text.tokenize import Tokenizer
    from nlptransfer.vectors.store import Vectors

#: The percentiles of text length (in tokens) a summary gives.
PERCENTILES = (5, 25, 50, 75, 95)

#: How many of the most frequent words the vectors miss a summary lists.
TOP_MISSING = 10

#: How many duplicated texts a summary quotes.
SHOWN_DUPLICATES = 3

_ORDER = ("train", "dev", "validation", "test")


@dataclass
class Coverage:
    """How much of the dataset's tokens (all splits) the vectors cover."""

    vectors: str | None
    tokens: int
    types: int
    token_coverage: float
    type_coverage: float
    missing: list[tuple[str, int]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "vectors": self.vectors,
            "tokens": self.tokens,
            "types": self.types,
            "token_coverage": round(self.token_coverage, 6),
            "type_coverage": round(self.type_coverage, 6),
            "missing": [{"word": word, "count": count} for word, count in self.missing],
        }


@dataclass
class Duplicates:
    """Test texts that are exact copies of training texts."""

    count: int
    test_rows: int
    examples: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "test_rows": self.test_rows, "examples": self.examples}


@dataclass
class DatasetSummary:
    """A dataset at a glance; :meth:`to_dict` for JSON, :meth:`render` for a terminal."""

    name: str | None
    label_names: list[str]
    rows: dict[str, int]
    class_counts: dict[str, dict[str, int]]
    lengths: dict[str, dict[str, int]]
    tokenizer: str
    coverage: Coverage | None
    duplicates: Duplicates | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the ``data`` of a compare summary, ``data-summary.json``)."""
        return {
            "name": self.name,
            "label_names": list(self.label_names),
            "rows": dict(self.rows),
            "class_counts": {split: dict(counts) for split, counts in self.class_counts.items()},
            "tokens_per_text": {split: dict(p) for split, p in self.lengths.items()},
            "tokenizer": self.tokenizer,
            "coverage": self.coverage.to_dict() if self.coverage is not None else None,
            "train_test_duplicates": (
                self.duplicates.to_dict() if self.duplicates is not None else None
            ),
        }

    def render(self) -> str:
        """One screen of plain text."""
        splits = list(self.rows)
        total = sum(self.rows.values())
        by_split = ", ".join(f"{split} {self.rows[split]:,}" for split in splits)
        title = f"{self.name}: " if self.name else "data: "
        lines = [f"{title}{total:,} rows ({by_split}), {len(self.label_names)} classes"]
        cells = [
            [
                f"{self.class_counts[split].get(name, 0):,} "
                f"({_share(self.class_counts[split].get(name, 0), self.rows[split])})"
                for split in splits
            ]
            for name in self.label_names
        ]
        name_width = max(len("class"), *(len(name) for name in self.label_names))
        widths = [
            max(len(split), *(len(row[i]) for row in cells)) for i, split in enumerate(splits)
        ]
        lines.append(
            f"{'class':<{name_width}}  "
            + "  ".join(f"{split:<{w}}" for split, w in zip(splits, widths, strict=True))
        )
        shown = list(zip(self.label_names, cells, strict=True))
        if len(shown) > 20:  # one screen: the largest classes first
            shown = sorted(
                shown, key=lambda item: -sum(self.class_counts[s].get(item[0], 0) for s in splits)
            )
            more = len(shown) - 20
            shown = shown[:20]
        else:
            more = 0
        for name, row in shown:
            lines.append(
                f"{name:<{name_width}}  "
                + "  ".join(f"{cell:<{w}}" for cell, w in zip(row, widths, strict=True))
            )
        if more:
            lines.append(f"... and {more} more classes")
        keys = ("p5", "p50", "p95", "max")
        lines.append(
            f"tokens per text  {'  '.join(f'{k:>4}' for k in keys)}  ({self.tokenizer} tokenizer)"
        )
        for split in splits:
            values = self.lengths.get(split, {})
            lines.append(f"  {split:<14} " + "  ".join(f"{values.get(k, 0):>4}" for k in keys))
        if self.coverage is None:
            lines.append("vectors: none given (no coverage)")
        else:
            c = self.coverage
            lines.append(
                f"vectors {c.vectors or ''}: {c.token_coverage:.1%} of {c.tokens:,} tokens and "
                f"{c.type_coverage:.1%} of {c.types:,} distinct words covered"
            )
            if c.missing:
                missing = ", ".join(f"{word} ({count:,})" for word, count in c.missing)
                lines.append(f"  most frequent missing: {missing}")
        if self.duplicates is not None:
            d = self.duplicates
            if d.count:
                examples = ", ".join(repr(_clip(text)) for text in d.examples)
                lines.append(
                    f"train/test duplicates: {d.count:,} of {d.test_rows:,} test texts also in "
                    f"train (e.g. {examples})"
                )
            else:
                lines.append(f"train/test duplicates: none of {d.test_rows:,} test texts")
        return "\n".join(line.rstrip() for line in lines)

    def __str__(self) -> str:
        return self.render()


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _clip(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _columns(split: Any) -> tuple[list[str], list[Any]]:
    """A split's texts and labels: a ``datasets.Dataset``, a dict of columns, or (texts, labels)."""
    if isinstance(split, tuple):
        texts, labels = split
    else:
        texts, labels = split["text"], split["label"]
    return [str(text) for text in texts], list(labels)


def _class_label_names(dataset: Mapping[str, Any]) -> list[str] | None:
    """The names of the ``label`` ClassLabel of a ``datasets`` split, if it has one."""
    for split in dataset.values():
        features = getattr(split, "features", None)
        feature = features.get("label") if features is not None else None
        names = getattr(feature, "names", None)
        if names:
            return [str(name) for name in names]
    return None


def _name_of(dataset: Mapping[str, Any]) -> str | None:
    for split in dataset.values():
        info = getattr(split, "info", None)
        name = getattr(info, "dataset_name", None)
        if name:
            return str(name)
    return None


def _natural(label: str) -> tuple[int, float, str]:
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def _tokenizer_for(tokenizer: Tokenizer | str | None, vectors: Vectors | None) -> Tokenizer:
    from nlptransfer.text.tokenize import get_tokenizer

    if isinstance(tokenizer, str):
        return get_tokenizer(tokenizer)
    if tokenizer is not None:
        return tokenizer
    own = vectors.tokenizer() if vectors is not None and vectors.has_tokenizer else None
    return own if own is not None else get_tokenizer("regex")


def summarize_dataset(
    dataset: Mapping[str, Any],
    *,
    vectors: Vectors | None = None,
    tokenizer: Tokenizer | str | None = None,
) -> DatasetSummary:
    """Summarize a dataset: rows, classes, text lengths, vector coverage, train/test copies.

    Args:
        dataset: split name to split: what :func:`~nlptransfer.data.load_dataset` returns, or
            plain ``{"text": [...], "label": [...]}`` dicts or ``(texts, labels)`` pairs.
        vectors: the vectors whose coverage to measure (over every split's tokens); ``None``
            leaves coverage out.
        tokenizer: the tokenizer (or its name) that splits the texts as training will; default:
            the vectors' own for token vectors, else the ``regex`` tokenizer.

    Returns:
        A :class:`DatasetSummary`.
    """
    splits = sorted(dataset, key=lambda s: (_ORDER.index(s) if s in _ORDER else len(_ORDER), s))
    columns = {split: _columns(dataset[split]) for split in splits}
    ids_of = _class_label_names(dataset)
    names = ids_of or sorted(
        {str(label) for _, labels in columns.values() for label in labels}, key=_natural
    )
    split_tokens = _tokenizer_for(tokenizer, vectors)

    rows: dict[str, int] = {}
    class_counts: dict[str, dict[str, int]] = {}
    lengths: dict[str, dict[str, int]] = {}
    token_counts: Counter[str] = Counter()
    for split in splits:
        texts, labels = columns[split]
        rows[split] = len(texts)
        counts = Counter(_label_name(label, ids_of) for label in labels)
        class_counts[split] = {name: counts.get(name, 0) for name in names}
        tokenized = split_tokens.tokenize_batch(texts)
        sizes = np.array([len(tokens) for tokens in tokenized]) if tokenized else np.zeros(1)
        lengths[split] = {
            **{f"p{q}": int(np.percentile(sizes, q)) for q in PERCENTILES},
            "max": int(sizes.max()),
            "mean": round(float(sizes.mean()), 2),  # type: ignore[dict-item]
        }
        for tokens in tokenized:
            token_counts.update(tokens)

    coverage = None
    if vectors is not None:
        report = vectors.coverage(token_counts, top_missing=TOP_MISSING, progress=False)
        coverage = Coverage(
            vectors=report.vectors,
            tokens=report.tokens,
            types=report.types,
            token_coverage=report.token_coverage,
            type_coverage=report.type_coverage,
            missing=list(report.missing),
        )

    duplicates = None
    if "train" in columns and "test" in columns:
        train = {" ".join(text.split()) for text in columns["train"][0]}
        copies = [text for text in columns["test"][0] if " ".join(text.split()) in train]
        duplicates = Duplicates(
            count=len(copies),
            test_rows=len(columns["test"][0]),
            examples=list(dict.fromkeys(copies))[:SHOWN_DUPLICATES],
        )
    return DatasetSummary(
        name=_name_of(dataset),
        label_names=names,
        rows=rows,
        class_counts=class_counts,
        lengths=lengths,
        tokenizer=split_tokens.name,
        coverage=coverage,
        duplicates=duplicates,
    )


def _label_name(label: Any, names: list[str] | None) -> str:
    """An id's name when the split keeps ids (a ``datasets.ClassLabel``), else the label."""
    if names is not None and isinstance(label, int | np.integer) and 0 <= int(label) < len(names):
        return names[int(label)]
    return str(label)
