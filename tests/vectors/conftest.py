"""Fixtures the vectors tests share: GloVe 6B 50d (offline, the `glove` extra) and gensim's view
of it, each built once per test module as before."""

from __future__ import annotations

import pytest

from nlptransfer import load_vectors


@pytest.fixture(scope="module")
def glove():
    return load_vectors("glove-6b-50d")


@pytest.fixture(scope="module")
def glove_kv(glove):
    kv = glove.to_gensim()
    kv.fill_norms()
    return kv
