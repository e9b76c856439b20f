"""Shared fixtures: real data files only (gensim's test files, ../shared/data, the PyPI GloVe).

The suite also runs in the core install (``pip install nlptransfer``, no extras: ``make
test-core``). There, tests of parts behind an extra skip, each naming the extra: a folder or
module that needs one calls :func:`skip_unless_installed` (the ``conftest.py`` of ``tests/nn``,
``tests/train``, ``tests/bench``, ``tests/pretrain``); a single test skips as the repository's
root ``conftest.py`` says.
"""

from __future__ import annotations

import os
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

from nlptransfer._util.extras import extra_of

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """``$NLPTRANSFER_SHARED_DATA`` or ``../shared/data`` beside the repository."""
    return Path(os.environ.get("NLPTRANSFER_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path}: set NLPTRANSFER_SHARED_DATA")
    return path


@pytest.fixture(scope="session")
def shared_file(shared_data):
    """Return a function mapping a path under shared/data to a Path, skipping if it is absent."""

    def get(relative: str) -> Path:
        path = shared_data / relative
        if not path.exists():
            pytest.skip(f"shared data file not found: {path}")
        return path

    return get


def gensim_data(name: str) -> Path:
    """A real file from gensim's own test data (written by word2vec/fastText/GloVe tools).

    The files ship inside gensim. Without gensim (the core install) they are read from
    ``$NLPTRANSFER_GENSIM_TEST_DATA`` (``make test-core`` points it at the full install's copy);
    without either, the calling test (or module, when called at import) skips.
    """
    folder = os.environ.get("NLPTRANSFER_GENSIM_TEST_DATA")
    if find_spec("gensim") is not None:
        from gensim.test.utils import datapath

        return Path(datapath(name))
    if folder:
        return Path(folder) / name
    pytest.skip(
        "gensim's test files ship inside gensim: pip install 'nlptransfer[pretrain]', or set "
        "NLPTRANSFER_GENSIM_TEST_DATA to a copy of gensim/test/test_data",
        allow_module_level=True,
    )


def read_kim(path: Path, limit: int | None = None) -> tuple[list[str], list[int]]:
    """``(texts, labels)`` of one of Kim's files (``LABEL text`` a line), the first ``limit``."""
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8").splitlines()[:limit]:
        label, text = line.split(" ", 1)
        texts.append(text)
        labels.append(int(label))
    return texts, labels


def skip_unless_installed(*modules: str) -> None:
    """Skip the calling test, module or folder (from its conftest) unless ``modules`` import.

    The reason names the folder or module skipped and the extra that installs each missing module.
    """
    missing = [name for name in modules if find_spec(name) is None]
    if missing:
        caller = Path(sys._getframe(1).f_code.co_filename).resolve()
        where = caller.parent if caller.name == "conftest.py" else caller
        extras = sorted({extra_of(name) or name for name in missing})
        pytest.skip(
            f"{where.relative_to(REPO)}: needs {', '.join(missing)}: "
            f"pip install 'nlptransfer[{','.join(extras)}]'",
            allow_module_level=True,
        )


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setenv("NLPTRANSFER_QUIET", "1")
