"""The Vectors object: lookups, errors, subsets, provenance."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from nlptransfer import UnknownWordError, Vectors, load_vectors
from tests.conftest import gensim_data


@pytest.fixture(scope="module")
def glove():
    return load_vectors(gensim_data("test_glove.txt"))


def test_basic_lookups(glove):
    assert len(glove) == len(glove.words) and glove.dim == 50
    assert "the" in glove and "zzzz-unknown" not in glove
    row = glove.index("the")
    np.testing.assert_array_equal(glove["the"], glove.matrix[row])
    np.testing.assert_array_equal(glove.vector("the"), glove.matrix[row])
    assert glove[["the", "ö"]].shape == (2, 50)
    assert list(glove)[:3] == glove.words[:3]


def test_unknown_word_is_a_key_error_naming_the_word(glove):
    with pytest.raises(KeyError, match="zzzz"):
        glove["zzzz"]
    with pytest.raises(UnknownWordError, match="no subword model"):
        glove.vector("zzzz")
    assert glove.get_index("zzzz") is None


def test_subset_keeps_order_and_skips_unknown(glove):
    sub = glove.subset(["é", "the", "nope", "the"])
    assert sub.words == ["é", "the"]
    np.testing.assert_array_equal(sub["é"], glove["é"])
    assert sub.meta["subset_of"] == glove.source


def test_provenance(glove):
    assert glove.format == "glove"
    assert glove.source == str(gensim_data("test_glove.txt"))
    assert glove.meta["source_size"] == gensim_data("test_glove.txt").stat().st_size
    expected = hashlib.sha256(gensim_data("test_glove.txt").read_bytes()).hexdigest()
    assert glove.source_checksum() == expected
    assert "Vectors(" in repr(glove) and "dim=50" in repr(glove)


def test_save_records_the_source_and_hashes_it_only_when_asked(tmp_path):
    source = tmp_path / "glove.txt"
    source.write_bytes(gensim_data("test_glove.txt").read_bytes())
    vectors = load_vectors(source)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()

    quick = load_vectors(vectors.save(tmp_path / "quick"))
    assert "source_sha256" not in quick.meta  # a 3.6 GB source is not hashed by every save
    assert quick.meta["source_size"] == source.stat().st_size
    assert quick.meta["source_mtime_ns"] == source.stat().st_mtime_ns
    assert quick.source_checksum() == digest  # on demand, from the store's record

    hashed = load_vectors(load_vectors(source).save(tmp_path / "hashed", checksum_source=True))
    assert hashed.meta["source_sha256"] == digest


def test_a_source_changed_since_loading_gets_no_checksum(tmp_path, caplog):
    source = tmp_path / "glove.txt"
    source.write_bytes(gensim_data("test_glove.txt").read_bytes())
    vectors = load_vectors(source)
    with source.open("ab") as handle:
        handle.write(b"extra 1 2\n")
    with caplog.at_level("WARNING", logger="nlptransfer.vectors.store"):
        assert vectors.source_checksum() is None
    assert "changed since these vectors were read" in caplog.text
    assert "source_sha256" not in load_vectors(vectors.save(tmp_path / "s")).meta


def test_constructor_checks_shapes():
    with pytest.raises(ValueError, match="2 words but 3"):
        Vectors(["a", "b"], np.zeros((3, 2), np.float32))
    with pytest.raises(ValueError, match="2-D"):
        Vectors(["a"], np.zeros(2, np.float32))
    v = Vectors(["a"], np.zeros((1, 2), np.float64))
    assert v.matrix.dtype == np.float32


def test_to_gensim_round_trip(glove):
    kv = glove.to_gensim()
    assert list(kv.index_to_key) == glove.words
    np.testing.assert_array_equal(kv.vectors, glove.matrix)


def test_fasttext_vector_for_unknown_words(shared_file):
    import fasttext

    path = shared_file("vectors/lid.176.ftz")
    ours = load_vectors(path)
    theirs = fasttext.load_model(str(path))
    for word in ("bonjour", "transferlearning", "Straße"):
        np.testing.assert_allclose(
            ours.vector(word), theirs.get_word_vector(word), rtol=1e-5, atol=1e-6
        )


def test_unit_matrix_is_cached_read_only_and_works_on_a_memmap(tmp_path):
    source = load_vectors(gensim_data("lee_fasttext.vec"))
    stored = load_vectors(source.save(tmp_path / "lee"))  # memory-mapped, read-only
    assert isinstance(stored.matrix, np.memmap) and not stored.matrix.flags.writeable
    unit = stored.unit_matrix()
    assert unit is stored.unit_matrix() and not unit.flags.writeable
    np.testing.assert_allclose(np.linalg.norm(unit, axis=1), 1.0, rtol=1e-6)
    assert stored.nearest(["police"], k=5) == source.nearest(["police"], k=5)
    replaced = np.array(stored.matrix)
    replaced[stored.index("police")] *= -1
    stored.matrix = replaced  # a new matrix invalidates the cache
    assert stored.unit_matrix() is not unit
    assert stored.similarity("police", "police") == pytest.approx(1.0)


def test_caches_are_declared_attributes_and_clear_caches_forgets_them():
    v = Vectors(["Cat", "dog", "zero"], np.array([[3, 4], [0, 2], [0, 0]], np.float32))
    declared = set(vars(v))
    v.nearest(["dog"], k=1)
    v.coverage([["CAT", "dog", "ｄｏｇ"]])
    v.analogy("Cat", "dog", "zero", k=1)
    # searching and resolving fill the declared caches, and add nothing under other names
    assert set(vars(v)) == declared
    assert v._unit_cache is not None and v._folded_cache is not None and v._index is not None
    unit, folded = v.unit_matrix(), v.folded_index()
    assert v.unit_matrix() is unit and v.folded_index() is folded
    v.matrix[0] = [0, -1]  # edited in place: the cache cannot see it
    assert v.unit_matrix().tolist()[0] == pytest.approx([0.6, 0.8])
    v.clear_caches()
    assert v._unit_cache is None and v._folded_cache is None and v._index is None
    assert v.unit_matrix().tolist()[0] == [0.0, -1.0]
    v.words.append("CAT")  # grown in place: the folded index sees the new length
    v.matrix = np.vstack([v.matrix, [[1, 1]]]).astype(np.float32)
    v.clear_caches()
    assert v.folded_index() is not folded and v.index("CAT") == 3
    assert v.folded_index()["cat"] == 0  # the first row wins


def test_describe_gives_what_vectors_info_prints(tmp_path):
    source = load_vectors(gensim_data("test_glove.txt"))
    stored = load_vectors(source.save(tmp_path / "tiny"))
    facts = stored.describe(sample=3)
    assert facts.words == len(source) and facts.dim == 50 and facts.sample == source.words[:3]
    assert facts.format == "native" and facts.source_format == "glove"
    assert facts.memory_mapped and facts.memory_bytes == source.matrix.nbytes
    files = [f for f in (tmp_path / "tiny.ntv").rglob("*") if f.is_file()]
    assert facts.disk_bytes == sum(f.stat().st_size for f in files)
    norms = np.linalg.norm(source.matrix, axis=1)
    assert facts.norm.max == pytest.approx(float(norms.max()))
    assert facts.norm.mean == pytest.approx(float(norms.mean()))
    assert facts.norm.std == pytest.approx(float(norms.std()))
    data = facts.to_dict()
    assert data["norm"]["min"] == pytest.approx(float(norms.min())) and not data["subwords"]
    empty = Vectors([], np.zeros((0, 4), np.float32)).describe()
    assert empty.words == 0 and empty.norm.max == 0.0 and empty.disk_bytes is None
