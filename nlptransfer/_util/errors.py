"""The exception hierarchy of nlptransfer.

Every error the library raises on purpose derives from :class:`NLPTransferError`, so callers can
catch one class. Messages name the file, the line (counted from 1) or byte offset, what was
expected and what was found.

Example:
    >>> from nlptransfer._util.errors import VectorsFormatError, NLPTransferError
    >>> issubclass(VectorsFormatError, ValueError)
    True
    >>> issubclass(VectorsFormatError, NLPTransferError)
    True
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BadRowsError",
    "CatalogError",
    "ChecksumMismatchError",
    "CompatError",
    "CorpusError",
    "CorpusNotFoundError",
    "DatasetError",
    "DatasetNotFoundError",
    "DownloadError",
    "HubError",
    "MissingExtraError",
    "ModelFolderError",
    "NLPTransferError",
    "OfflineError",
    "PickleNotAllowedError",
    "PretrainError",
    "ResultsNotFoundError",
    "UnknownNameError",
    "UnknownWordError",
    "UnsafeArchiveError",
    "UnsafePatternError",
    "VectorsFormatError",
    "VectorsNotFoundError",
]


def _rebuild(cls: type[BaseException], args: tuple, state: dict) -> BaseException:
    """Recreate a pickled project error without calling its ``__init__`` (see ``__reduce__``)."""
    error = None
    for base in cls.__mro__:  # the built-in whose __new__ suits cls: OSError's for a FileNotFound
        if base.__module__ == "builtins":
            try:
                error = base.__new__(cls, *args)
            except TypeError:  # "ValueError.__new__(X) is not safe": X is also an OSError
                continue
            break
    assert error is not None
    error.args = args
    error.__dict__.update(state)
    return error


class NLPTransferError(Exception):
    """Base class of every error nlptransfer raises on purpose.

    Every project error survives pickling with its message and attributes, whatever its
    ``__init__`` takes: a process pool's worker (``bench --jobs 2``) hands it back to the parent
    as it was raised, not as a ``BrokenProcessPool``.

    Example:
        >>> import pickle
        >>> error = BadRowsError("2 bad rows in train.csv", ["row 3", "row 9"])
        >>> again = pickle.loads(pickle.dumps(error))
        >>> str(again), again.rows
        ('2 bad rows in train.csv', ['row 3', 'row 9'])
    """

    def __reduce__(self) -> tuple:
        # BaseException's own reduce calls ``cls(*self.args)``, which fails for an ``__init__``
        # with other parameters than the message (BadRowsError(message, rows), ...).
        return _rebuild, (type(self), self.args, dict(self.__dict__))


class VectorsFormatError(NLPTransferError, ValueError):
    """A vectors file is malformed: the message says where, what was expected and what was found.

    Attributes:
        path: the file that is wrong.
        line: 1-based line number for text formats, else ``None``.
        offset: byte offset for binary formats, else ``None``.
    """

    def __init__(
        self,
        path: str | Path,
        message: str,
        *,
        line: int | None = None,
        offset: int | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.offset = offset
        self.detail = message
        where = self.path
        if line is not None:
            where += f", line {line}"
        if offset is not None:
            where += f", byte offset {offset}"
        super().__init__(f"{where}: {message}")


class VectorsNotFoundError(NLPTransferError, FileNotFoundError):
    """A vectors source is neither an existing path nor a known catalogue name."""


class UnknownWordError(NLPTransferError, KeyError):
    """A word is not in the vocabulary and no subword model can build a vector for it."""

    def __str__(self) -> str:  # KeyError quotes its argument; keep the message readable
        return str(self.args[0]) if self.args else ""


class PickleNotAllowedError(NLPTransferError, PermissionError):
    """Loading a pickle-based file was asked for without ``allow_pickle=True``."""


class CatalogError(NLPTransferError, ValueError):
    """A vectors catalogue file is invalid: the message names the file, the entry and the key."""


class DownloadError(NLPTransferError, OSError):
    """Named vectors could not be downloaded: every URL tried is listed with what went wrong."""


class HubError(NLPTransferError, OSError):
    """A model could not be fetched from or pushed to the Hugging Face Hub: the message says why."""


class ChecksumMismatchError(DownloadError):
    """A download's checksum (or size) differs from the catalogue's; the download was deleted."""


class OfflineError(DownloadError):
    """Offline mode (``NLPTRANSFER_OFFLINE=1``) is on and the vectors asked for are not cached."""


class UnsafeArchiveError(NLPTransferError, ValueError):
    """An archive holds a member that would land outside its folder (zip slip) or is a link."""


class UnsafePatternError(NLPTransferError, ValueError):
    """A regular expression that could take exponential time on some input (nested unbounded
    repeats such as ``(a+)+``): refused before it is ever run."""


class ModelFolderError(NLPTransferError, ValueError):
    """A model folder's file is malformed or does not belong with the others: the message names
    the file."""


class DatasetError(NLPTransferError, ValueError):
    """A dataset file or request is invalid: the message names the file, the line and the problem."""


class BadRowsError(DatasetError):
    """A dataset file has rows without a label, with an unknown label or with empty text.

    Attributes:
        rows: every bad row found (``nlptransfer.data.bad_rows.BadRow``: path, line, problem), not
            only the few the message lists.
    """

    def __init__(self, message: str, rows: list) -> None:
        self.rows = list(rows)
        super().__init__(message)


class DatasetNotFoundError(NLPTransferError, FileNotFoundError):
    """A dataset is neither an existing path nor a catalogued name that any source could supply.

    Attributes:
        looked_in: every place searched (local paths, hub ids, packages) with why each failed.
    """

    def __init__(self, message: str, looked_in: list[str] | None = None) -> None:
        self.looked_in = list(looked_in or [])
        super().__init__(message)


class ResultsNotFoundError(NLPTransferError, FileNotFoundError):
    """A benchmark results folder holds no finished runs to report on."""


class CorpusError(NLPTransferError, ValueError):
    """A training corpus is unusable: missing, corrupt, binary, empty, or too small a vocabulary.

    Attributes:
        path: the file that is wrong (or the files, comma separated).
        line: 1-based line number reached when the problem was found, else ``None``.
    """

    def __init__(self, path: str | Path, message: str, *, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.detail = message
        where = self.path if line is None else f"{self.path}, line {line}"
        super().__init__(f"{where}: {message}")


class CorpusNotFoundError(CorpusError, FileNotFoundError):
    """A corpus file does not exist (or is not a file)."""


class PretrainError(NLPTransferError, ValueError):
    """Pretraining settings that cannot work together (a dimension that differs from the
    vectors it starts from, fastText adaptation, case that disagrees with those vectors, ...)."""


class MissingExtraError(NLPTransferError, ImportError):
    """An optional dependency is not installed: the message names the extra to install."""


class CompatError(NLPTransferError, RuntimeError):
    """Code written for another library (``nlptransfer.compat``) did what that library refused
    with a ``RuntimeError``: a token not in a torchtext ``Vocab`` that has no default index, an
    index out of bounds, a duplicate token, vectors that are nowhere to be found. Catching
    ``RuntimeError``, as such code does, still works."""


class UnknownNameError(NLPTransferError, ValueError):
    """A name (classifier, vector format, tokenizer, policy, dataset...) that no registry holds.

    Attributes:
        kind: what was asked for ("classifier", "vector format", ...).
        name: the name given.
        known: every name the registry holds.
    """

    def __init__(
        self, message: str, *, kind: str = "", name: str = "", known: tuple[str, ...] = ()
    ) -> None:
        self.kind = kind
        self.name = name
        self.known = tuple(known)
        super().__init__(message)
