"""Which columns hold the text and the label: given, or guessed from the header.

The text and label columns of CSV, TSV, JSON lines and Parquet files (and of hub datasets) are
those given (``text_column`` / ``label_column``) or the first of :data:`TEXT_COLUMNS` /
:data:`LABEL_COLUMNS` found among the header's names (case-insensitive). ``text_column`` may
name several columns: their texts are joined with a space (a title and a description).

Example:
    >>> choose_columns(["Sentiment", "SentimentText"], "tweets.csv", "SentimentText", None)[:2]
    (['SentimentText'], 'Sentiment')
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from nlptransfer._util.errors import DatasetError
from nlptransfer.data.options_hint import hint
from nlptransfer.data.raw_split import RawSplit

logger = logging.getLogger(__name__)

#: Column names taken for the text, in order of preference (compared case-insensitively).
TEXT_COLUMNS = (
    "text",
    "sentence",
    "content",
    "review",
    "tweet",
    "document",
    "body",
    "comment",
    "question",
    "utterance",
)

#: Column names taken for the label, in order of preference (compared case-insensitively).
LABEL_COLUMNS = (
    "label",
    "labels",
    "sentiment",
    "class",
    "category",
    "target",
    "polarity",
    "coarse_label",
    "y",
)


def guess_column(columns: Sequence[str], candidates: Sequence[str], what: str, path: str) -> str:
    """The first of ``candidates`` found among ``columns`` (case-insensitive).

    Example:
        >>> guess_column(["label", "content"], TEXT_COLUMNS, "text", "dev.tsv")
        'content'

    Raises:
        DatasetError: none is there; the message lists the columns found and those expected.
    """
    by_lower = {column.lower(): column for column in columns}
    for candidate in candidates:
        if candidate in by_lower:
            return by_lower[candidate]
    raise DatasetError(
        f"{path}: cannot tell which column holds the {what}: expected one of "
        f"{', '.join(candidates)}; found columns {list(columns)}; pass "
        f"{hint(f'{what}_column', 'NAME')}"
        + (
            " (repeat it to join several columns, e.g. a title and a description)"
            if what == "text"
            else ""
        )
    )


def choose_columns(
    columns: Sequence[str],
    path: str,
    text_column: str | Sequence[str] | None,
    label_column: str | None,
) -> tuple[list[str], str, str]:
    """Pick the text columns and the label column (given or guessed) and describe the choice.

    Example:
        >>> choose_columns(["Class", "Title", "Description"], "ag.csv", ["Title", "Description"], None)
        (['Title', 'Description'], 'Class', "text columns 'Title' + 'Description' (given), label column 'Class' (guessed)")

    Returns:
        ``(text columns, label column, note)``; the note says which were guessed.

    Raises:
        DatasetError: a given column is missing, one cannot be guessed, or text and label are
            the same column.
    """
    texts = text_columns(text_column)
    given = [(name, "text") for name in texts]
    if label_column is not None:
        given.append((label_column, "label"))
    for name, what in given:
        if name not in columns:
            raise DatasetError(
                f"{path}: no column {name!r} (given as --{what}-column, {what}_column=); "
                f"found columns {list(columns)}"
            )
    if not texts:
        texts = [guess_column(columns, TEXT_COLUMNS, "text", path)]
    label = label_column or guess_column(columns, LABEL_COLUMNS, "label", path)
    if label in texts:
        raise DatasetError(f"{path}: the text and label columns are both {label!r}")
    how = {True: "given", False: "guessed"}
    plural = "s" if len(texts) > 1 else ""
    note = (
        f"text column{plural} {' + '.join(map(repr, texts))} ({how[text_column is not None]}), "
        f"label column {label!r} ({how[label_column is not None]})"
    )
    logger.info("%s: %s", path, note)
    return texts, label, note


def text_columns(text_column: str | Sequence[str] | None) -> list[str]:
    """``text_column`` as a list of names (``None``: none given).

    Example:
        >>> text_columns("review"), text_columns(["title", "description"]), text_columns(None)
        (['review'], ['title', 'description'], [])
    """
    if text_column is None:
        return []
    if isinstance(text_column, str):
        return [text_column]
    names = list(text_column)
    if not names or not all(isinstance(name, str) and name for name in names):
        raise DatasetError(f"text_column must name one or more columns, found {text_column!r}")
    return names


def join_texts(values: Sequence[object]) -> object:
    """The texts of several columns joined with a space (empty ones left out); one value as it is.

    Example:
        >>> join_texts(["Wall St. Bears Claw Back", "Short-sellers are seeing green again."])
        'Wall St. Bears Claw Back Short-sellers are seeing green again.'
        >>> join_texts(["only", None]), join_texts([None, None]) is None
        ('only', True)
    """
    if len(values) == 1:
        return values[0]
    if any(value is not None and not isinstance(value, str) for value in values):
        return next(v for v in values if v is not None and not isinstance(v, str))
    parts = [value.strip() for value in values if isinstance(value, str) and value.strip()]
    return " ".join(parts) if parts else None


def record_guess(split: RawSplit, text_column: object, label_column: object, note: str) -> None:
    """Keep in ``split.guesses`` which columns were guessed, naming the options that set them."""
    guessed = [
        f"--{what}-column"
        for what, given in (("text", text_column), ("label", label_column))
        if given is None
    ]
    if guessed:
        split.guesses.append(f"{note} ({' and '.join(guessed)} set{'s' * (len(guessed) == 1)} it)")
