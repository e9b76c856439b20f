"""read_vectors: the public reader of a path (load_vectors resolves names, then reads)."""

from __future__ import annotations

import numpy as np
import pytest

from nlptransfer import load_vectors, read_vectors
from nlptransfer.errors import VectorsNotFoundError
from tests.conftest import gensim_data


def test_reading_a_path_is_what_loading_it_gives():
    path = gensim_data("lee_fasttext.vec")
    read, loaded = read_vectors(path, limit=50), load_vectors(path, limit=50)
    assert read.words == loaded.words
    np.testing.assert_array_equal(read.matrix, loaded.matrix)
    assert {k: v for k, v in read.meta.items() if k != "load_seconds"} == {
        k: v for k, v in loaded.meta.items() if k != "load_seconds"
    }
    assert read.meta["source"] == str(path) and read.format == "word2vec-text"


def test_a_catalogue_name_is_not_a_path():
    with pytest.raises(VectorsNotFoundError, match="no such file or folder: glove-6b-50d"):
        read_vectors("glove-6b-50d")


def test_a_missing_path_names_what_is_beside_it(tmp_path):
    (tmp_path / "store.ntv").mkdir()
    with pytest.raises(VectorsNotFoundError, match=r"\(beside it: store\.ntv\)$"):
        read_vectors(tmp_path / "store")


def test_a_native_store_is_read_whole_then_filtered(tmp_path):
    glove = load_vectors(gensim_data("test_glove.txt"))
    store = glove.save(tmp_path / "glove")
    first = read_vectors(store, limit=3)
    assert first.words == glove.words[:3] and isinstance(first.matrix, np.memmap)
    assert first.format == "native" and first.meta["source_format"] == "glove"
    some = read_vectors(store, vocab={glove.words[7], glove.words[2], "qqqzzz"})
    assert some.words == [glove.words[2], glove.words[7]]
    np.testing.assert_array_equal(some.matrix, glove.matrix[[2, 7]])
    assert some.meta["subset_of"] == glove.source
    with pytest.raises(ValueError, match="limit must be >= 0"):
        read_vectors(store, limit=-1)
