"""Shared fixtures: real data files only (gensim's test files, ../shared/data, the PyPI GloVe)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
    """A real file from gensim's own test data (written by word2vec/fastText/GloVe tools)."""
    from gensim.test.utils import datapath

    return Path(datapath(name))


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setenv("NLPTRANSFER_QUIET", "1")
