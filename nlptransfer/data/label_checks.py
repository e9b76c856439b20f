"""Is the label set plausible? Refuse a guess that reads nonsense; call out likely typos.

A file read with guesses (its format from the extension, its columns from the header, its label
names from the data) can be read wrong without any row being bad: a headerless
``sentence<TAB>label`` file named ``.txt`` read in Kim's ``LABEL TEXT`` format makes the first
word of each sentence its label. :func:`check_label_set` looks at what came out, and when the
label names were taken from the data it refuses, naming what it saw and the options that fix it:

- more than 10 classes and more than a tenth of the rows (``the``, ``a``, ``it`` ... as labels);
- labels that are common words (the first words of sentences);
- a few labels that are not integers among integer labels (a line without a label, in Kim's
  format, gives its first word as the label);
- a label that is another one written differently: ``POS`` beside ``pos``, ``1.0`` beside ``1``,
  or a small class a letter or two away from a large one (``postive`` beside ``positive``).

Giving the label names (``--label-names``, ``label_names=``) accepts the data as it is: ``POS``
then reads as ``pos`` and ``1.0`` as ``1``, and a label outside the names is a bad row (skipped
with ``--on-bad-rows warn``). A class with very few rows next to larger ones is logged at
WARNING, and so is every guess, with the class counts.

Example:
    >>> from nlptransfer.data.raw_split import RawSplit
    >>> split = RawSplit("reviews.all")
    >>> for line, label in enumerate(["positive"] * 40 + ["negative"] * 40 + ["postive"], 1):
    ...     split.add("a text", label, line)
    >>> check_label_set({"train": split}, ["negative", "positive", "postive"], inferred=True)
    Traceback (most recent call last):
    ...
    nlptransfer._util.errors.DatasetError: reviews.all: label 'postive' (1 row; first: reviews.all, line 81) looks like 'positive' (40 rows) written differently (a typo?). The label names were taken from the data; name the classes with --label-names negative,positive (Python and grids: label_names=['negative', 'positive']): a label outside them is then a bad row (skipped with --on-bad-rows warn), 'POS' reads as 'pos' and '1.0' as '1'; or list 'postive' there too to keep it as a class of its own
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Mapping

from nlptransfer._util.errors import DatasetError
from nlptransfer.data.raw_split import RawSplit

logger = logging.getLogger(__name__)

#: Words that are never a label but start many sentences.
COMMON_WORDS = frozenset(
    {
        *("the", "a", "an", "i", "it", "it's", "this", "that", "these", "and", "but", "or"),
        *("in", "of", "to", "is", "was", "if", "as", "for", "with", "not", "no", "what"),
        *("how", "who", "when", "where", "why", "which", "there", "you", "he", "she", "they"),
        *("we", "my", "his", "her", "their", "one", "so", "at", "on", "by", "all", "just"),
    }
)

#: A class this many times smaller than the largest one is called out as very small.
SMALL_CLASS_RATIO = 50

_NUMBER = re.compile(r"[+-]?\d+(\.\d*)?([eE][+-]?\d+)?")


def _key(label: object) -> str:
    return str(label).strip()


def label_counts(raws: Mapping[str, RawSplit]) -> Counter[str]:
    """How many rows each raw label has, over every split.

    Example:
        >>> from nlptransfer.data.raw_split import RawSplit
        >>> split = RawSplit("t.csv")
        >>> split.add("good", "pos", 2); split.add("bad", "neg", 3); split.add("fine", "pos", 4)
        >>> label_counts({"train": split}).most_common()
        [('pos', 2), ('neg', 1)]
    """
    return Counter(_key(label) for raw in raws.values() for label in raw.labels)


def format_counts(counts: Counter[str], shown: int = 12) -> str:
    """``'pos 5,331, neg 5,331'``: the largest classes first, then how many more."""
    items = counts.most_common()
    text = ", ".join(f"{name} {count:,}" for name, count in items[:shown])
    return text + (f", ... ({len(items) - shown} more)" if len(items) > shown else "")


def _first_line(raws: Mapping[str, RawSplit], label: str) -> str:
    for raw in raws.values():
        for value, line in zip(raw.labels, raw.lines, strict=True):
            if _key(value) == label:
                return f"{raw.source}, {raw.unit} {line}"
    return "?"


def _as_number(label: str) -> float | None:
    return float(label) if _NUMBER.fullmatch(label) else None


def _distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _variant_of(label: str, counts: Counter[str]) -> str | None:
    """The larger label that ``label`` looks like another spelling of, if any."""
    count = counts[label]
    number = _as_number(label)
    for other, other_count in counts.most_common():
        if other == label or other_count < count:
            continue
        if label.casefold() == other.casefold():
            return other
        if number is not None and number == _as_number(other):
            return other
        if (
            min(len(label), len(other)) >= 4
            and count * 10 <= other_count
            and _distance(label.casefold(), other.casefold()) <= 2
        ):
            return other
    return None


def guesses_of(raws: Mapping[str, RawSplit]) -> list[str]:
    """Every guess made reading the splits (format, columns), each once."""
    seen: list[str] = []
    for raw in raws.values():
        for guess in raw.guesses:
            if guess not in seen:
                seen.append(guess)
    return seen


def check_label_set(
    raws: Mapping[str, RawSplit], names: list[str], *, inferred: bool, where: str | None = None
) -> None:
    """Log what was read (at WARNING when anything was guessed) and refuse an implausible read.

    Args:
        raws: the splits as read.
        names: the label names in use.
        inferred: the names were taken from the data (not given): implausible sets are refused.
        where: the dataset's name for messages (default: the first split's source).

    Raises:
        DatasetError: ``inferred`` and the labels look wrong; the message says what was seen,
            what was guessed and which option fixes it.
    """
    where = where or next(iter(raws.values())).source
    counts = label_counts(raws)
    rows = sum(counts.values())
    guesses = guesses_of(raws)
    if inferred:
        guesses.append(
            f"label names {names[:12]}{' ...' if len(names) > 12 else ''} taken from the data "
            "(--label-names sets them)"
        )
    if inferred and counts:
        problem = _not_labels(counts, rows)
        if problem:
            raise DatasetError(
                f"{where}: {problem}. Read with guesses: {'; '.join(guesses)}. Say how to read "
                "the file: --format FORMAT, --text-column NAME, --label-column NAME, or "
                "--no-header with --columns text,label (in Python and grids: format=, "
                "text_column=, label_column=, header=False, columns=)"
            )
        problem = _typo(raws, counts, names) or _unlabelled(raws, counts, rows, names)
        if problem:
            raise DatasetError(f"{where}: {problem}")
    level = logging.WARNING if guesses else logging.INFO
    logger.log(
        level,
        "%s: %d rows, %d classes (%s)%s",
        where,
        rows,
        len(counts),
        format_counts(counts),
        "; guessed: " + "; ".join(guesses) if guesses else "",
    )
    if counts:
        largest = counts.most_common(1)[0]
        for label, count in counts.items():
            if count * SMALL_CLASS_RATIO <= largest[1]:
                logger.warning(
                    "%s: class %r has %d row%s beside %r with %d (first: %s): a typo, or a "
                    "class too small to learn?",
                    where,
                    label,
                    count,
                    "" if count == 1 else "s",
                    largest[0],
                    largest[1],
                    _first_line(raws, label),
                )


def _not_labels(counts: Counter[str], rows: int) -> str | None:
    """What shows the "labels" are not labels (words of the text), if anything does."""
    classes = len(counts)
    if classes > 10 and classes * 10 > rows:
        return (
            f"{classes} different labels in {rows} rows ({format_counts(counts, 8)}): more "
            "classes than a tenth of the rows; these do not look like labels"
        )
    words = sorted(label for label in counts if label.casefold() in COMMON_WORDS)
    if len(words) >= 2:
        return (
            f"labels that are common words: {', '.join(map(repr, words[:8]))} among "
            f"{classes} labels ({format_counts(counts, 8)}); the first words of sentences?"
        )
    return None


def _unlabelled(
    raws: Mapping[str, RawSplit], counts: Counter[str], rows: int, names: list[str]
) -> str | None:
    """A few rows whose label is not an integer among integer labels: lines without a label."""
    integers = {label for label in counts if re.fullmatch(r"[+-]?\d+", label)}
    others = set(counts) - integers
    in_integers = sum(counts[label] for label in integers)
    if not integers or not others or in_integers * 10 < rows * 9:
        return None
    shown = sorted(others, key=lambda label: -counts[label])[:5]
    listing = ", ".join(
        f"{label!r} ({counts[label]}; first: {_first_line(raws, label)})" for label in shown
    )
    kept = [name for name in names if name in integers]
    return (
        f"{in_integers} of {rows} rows have integer labels, and {rows - in_integers} others "
        f"have: {listing}; a line without its label? Name the classes with --label-names "
        f"{','.join(kept)} (Python and grids: label_names={kept}): the other labels are then "
        "bad rows (skipped with --on-bad-rows warn)"
    )


def _typo(raws: Mapping[str, RawSplit], counts: Counter[str], names: list[str]) -> str | None:
    for label, count in sorted(counts.items(), key=lambda item: item[1]):
        other = _variant_of(label, counts)
        if other is None:
            continue
        kept = [name for name in names if name != label]
        return (
            f"label {label!r} ({count} row{'' if count == 1 else 's'}; first: "
            f"{_first_line(raws, label)}) looks like {other!r} ({counts[other]} rows) written "
            f"differently (a typo?). The label names were taken from the data; name the "
            f"classes with --label-names {','.join(kept)} (Python and grids: "
            f"label_names={kept}): a label outside them is then a bad row (skipped with "
            f"--on-bad-rows warn), 'POS' reads as 'pos' and '1.0' as '1'; or list {label!r} "
            "there too to keep it as a class of its own"
        )
    return None
