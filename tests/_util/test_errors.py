"""Every project error survives a process pool: pickled and unpickled, same type, message, fields.

A process pool (``bench --jobs 2``) sends a worker's exception to the parent by pickling it. An
error whose ``__init__`` takes more than the message (``BadRowsError(message, rows)``) used to fail
to unpickle there, and the user saw ``BrokenProcessPool`` instead of what was wrong.
"""

from __future__ import annotations

import importlib
import pickle
import pkgutil
from concurrent.futures import ProcessPoolExecutor

import pytest

import nlptransfer
from nlptransfer._util import errors
from nlptransfer._util.errors import NLPTransferError
from nlptransfer.data.bad_rows import BadRow

_ROWS = [
    BadRow("reviews.all", 3, "empty text: expected 'LABEL TEXT', found '1'"),
    BadRow("reviews.all", 9, "blank line: expected 'LABEL TEXT'"),
]

#: Realistic arguments for the errors whose ``__init__`` takes more than a message.
REALISTIC = {
    "VectorsFormatError": (
        ("glove.txt", "expected 51 fields, found 50"),
        {"line": 7},
    ),
    "CorpusError": (("corpus.txt", "binary data: a NUL byte"), {"line": 12}),
    "CorpusNotFoundError": (("corpus.txt", "no such file"), {}),
    "BadRowsError": (
        (
            "2 bad rows in reviews.all (to skip them with a warning: --on-bad-rows warn):\n"
            "reviews.all, line 3: empty text",
            _ROWS,
        ),
        {},
    ),
    "DatasetNotFoundError": (
        ("dataset 'sst9' not found", ["/data/sst9/train.tsv: no such file"]),
        {},
    ),
    "UnknownNameError": (
        ("unknown classifier 'cnnn'; did you mean 'cnn'?",),
        {"kind": "classifier", "name": "cnnn", "known": ("cnn", "bilstm", "nbow")},
    ),
    "UnknownWordError": (("'qwzx' is not in the vocabulary",), {}),
}


def _all_project_errors() -> list[type[NLPTransferError]]:
    """Every subclass of NLPTransferError in every importable module of the package."""
    for module in pkgutil.walk_packages(nlptransfer.__path__, "nlptransfer."):
        if module.name.startswith("nlptransfer.cli"):
            continue  # the CLI only re-raises the library's errors
        try:
            importlib.import_module(module.name)
        except Exception:  # an extra not installed here: its errors are checked where it is
            continue
    found: list[type[NLPTransferError]] = []
    todo: list[type[NLPTransferError]] = [NLPTransferError]
    while todo:
        cls = todo.pop()
        if cls not in found:
            found.append(cls)
            todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _make(cls: type[NLPTransferError]) -> NLPTransferError:
    args, kwargs = REALISTIC.get(cls.__name__, ((f"{cls.__name__}: reviews.csv, line 4",), {}))
    try:
        return cls(*args, **kwargs)
    except TypeError as error:  # a new error class with another signature: add it to REALISTIC
        pytest.fail(f"{cls.__qualname__}: give realistic arguments in REALISTIC ({error})")


ERRORS = _all_project_errors()


def test_every_public_error_is_found():
    names = {cls.__name__ for cls in ERRORS}
    assert set(errors.__all__) <= names
    assert "BenchConfigError" in names or pytest.importorskip("torch") is None


@pytest.mark.parametrize("cls", ERRORS, ids=lambda cls: cls.__name__)
def test_error_round_trips_through_pickle(cls):
    error = _make(cls)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is cls
    assert str(again) == str(error)
    assert again.args == error.args
    assert vars(again) == vars(error)


def _raise_bad_rows() -> None:
    raise errors.BadRowsError("2 bad rows in reviews.all", _ROWS)


def test_a_worker_process_error_reaches_the_parent_with_its_message():
    with ProcessPoolExecutor(1) as pool:
        future = pool.submit(_raise_bad_rows)
        with pytest.raises(errors.BadRowsError, match=r"2 bad rows in reviews\.all") as caught:
            future.result()
    assert caught.value.rows == _ROWS
