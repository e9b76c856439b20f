"""Dataset tests: never touch the hub; the catalogue reads ../shared/data."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """No test may depend on the Hugging Face hub: offline unless a test says otherwise."""
    monkeypatch.setenv("NLPTRANSFER_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


@pytest.fixture
def data_env(shared_data, monkeypatch):
    """``NLPTRANSFER_DATA`` pointed at the shared data folder (skips when it is absent)."""
    monkeypatch.setenv("NLPTRANSFER_DATA", str(shared_data))
    return shared_data


@pytest.fixture
def kim_rows(shared_file):
    """The first 300 (label, text) rows of the real SST-2 training file (UTF-8)."""
    lines = shared_file("kim2014/stsa.binary.train").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split(" ", 1)) for line in lines[:300]]
