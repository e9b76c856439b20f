"""The native store: pickle-free, atomic, memory-mapped, exact."""

from __future__ import annotations

import json
import pickletools

import numpy as np
import pytest

from nlptransfer import Vectors, load_vectors
from nlptransfer.errors import VectorsFormatError
from nlptransfer.vectors.formats import native
from tests.conftest import gensim_data
from tests.vectors.formats.native_v1 import data_dir, write_v1_store


@pytest.fixture
def lee():
    return load_vectors(gensim_data("lee_fasttext.vec"))


def test_round_trip_is_exact_and_memory_mapped(tmp_path, lee):
    path = lee.save(tmp_path / "lee")
    assert path.name == "lee.ntv"
    data = data_dir(path)
    assert sorted(p.name for p in path.iterdir()) == [".lock", data.name, "meta.json"]
    assert sorted(p.name for p in data.iterdir()) == ["norms.npy", "vectors.npy", "vocab.txt"]
    again = load_vectors(path)
    assert again.words == lee.words
    np.testing.assert_array_equal(again.matrix, lee.matrix)
    assert isinstance(again.matrix, np.memmap) and not again.matrix.flags.writeable
    assert again.format == "native" and again.meta["source_format"] == "word2vec-text"
    assert again.source_checksum() == lee.source_checksum()  # hashed on demand
    with pytest.raises(ValueError):
        again.matrix[0, 0] = 1.0


def test_no_pickle_anywhere(tmp_path, lee):
    path = lee.save(tmp_path / "lee")
    data = data_dir(path)
    for array in ("vectors.npy", "norms.npy"):
        assert b"'descr': '<f4'" in (data / array).read_bytes()[:128]
        np.load(data / array, allow_pickle=False)
    json.loads((path / "meta.json").read_text())
    with pytest.raises(ValueError):  # not a pickle stream
        list(pickletools.genops((data / "vocab.txt").open("rb")))


def test_words_with_newlines_backslashes_and_unicode_survive(tmp_path):
    words = ["plain", "line\nbreak", "back\\slash", "carriage\rreturn", "émoji🙂", "\\n literal"]
    v = Vectors(words, np.arange(12, dtype=np.float32).reshape(6, 2))
    again = Vectors.load(v.save(tmp_path / "odd"))
    assert again.words == words
    assert json.loads((tmp_path / "odd.ntv" / "meta.json").read_text())["vocab_escaped"] is True


def test_save_is_atomic_and_keeps_the_old_store_on_failure(tmp_path, lee, monkeypatch):
    path = lee.save(tmp_path / "lee")
    small = lee.subset(lee.words[:3])

    def broken_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(native.np, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        small.save(path)
    monkeypatch.undo()
    assert load_vectors(path).words == lee.words  # the old store is intact
    assert [p.name for p in tmp_path.iterdir()] == ["lee.ntv"]  # no temporary left behind
    assert len([p for p in path.iterdir() if p.name.startswith("data-")]) == 1
    small.save(path)
    assert load_vectors(path).words == lee.words[:3]
    with pytest.raises(FileExistsError):
        small.save(path, overwrite=False)


def test_mmap_false_gives_a_writable_copy(tmp_path, lee):
    again = Vectors.load(lee.save(tmp_path / "lee"), mmap=False)
    assert not isinstance(again.matrix, np.memmap) and again.matrix.flags.writeable


def test_damaged_store_is_reported(tmp_path, lee):
    path = lee.save(tmp_path / "lee")
    vocab_file = data_dir(path) / "vocab.txt"
    vocab = vocab_file.read_text().splitlines()
    vocab_file.write_text("\n".join(vocab[:-1]) + "\n")
    with pytest.raises(VectorsFormatError, match="expected 1762 words"):
        load_vectors(path)
    (path / "meta.json").write_text("{not json")
    with pytest.raises(VectorsFormatError, match="expected JSON"):
        load_vectors(path)


def test_subword_model_travels_with_the_store(tmp_path):
    model = load_vectors(gensim_data("lee_fasttext_new.bin"))
    if model.subwords is None:
        pytest.skip("this model has no subwords")
    again = load_vectors(model.save(tmp_path / "ft"))
    np.testing.assert_array_equal(again.vector("unseenword"), model.vector("unseenword"))


@pytest.mark.parametrize("store", ["v2", "v1", "v1-no-digest"])
def test_a_duplicate_word_in_a_tampered_store_is_refused_at_load(tmp_path, lee, store):
    if store == "v2":
        path = lee.save(tmp_path / "lee")
        vocab_file = data_dir(path) / "vocab.txt"
    else:  # the version 1 layout, with or without the vocabulary's digest
        path = write_v1_store(tmp_path / "lee.ntv", lee.words, lee.matrix, {}, digest=store == "v1")
        assert load_vectors(path).words == lee.words  # an old, intact store still opens
        vocab_file = path / "vocab.txt"
    vocab = vocab_file.read_text(encoding="utf-8").split("\n")
    vocab[7] = vocab[2]
    vocab_file.write_text("\n".join(vocab), encoding="utf-8")
    with pytest.raises(VectorsFormatError) as caught:
        load_vectors(path)
    message = str(caught.value)
    assert "vocab.txt" in message and repr(lee.words[2]) in message
    assert "rows 2 and 7" in message


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_in_a_tampered_store_is_refused_at_load(tmp_path, lee, value):
    path = lee.save(tmp_path / "lee")
    matrix = np.load(data_dir(path) / "vectors.npy", mmap_mode="r+")
    matrix[1500, 3] = value
    matrix.flush()
    del matrix
    with pytest.raises(VectorsFormatError, match=r"vectors\.npy.*NaN or inf in row 1500"):
        load_vectors(path)
    with pytest.raises(VectorsFormatError, match="row 1500"):
        Vectors.load(path, mmap=False)


def test_large_finite_values_whose_sum_overflows_still_load(tmp_path):
    matrix = np.full((4, 3), np.finfo(np.float32).max, dtype=np.float32)
    again = Vectors.load(Vectors(list("abcd"), matrix).save(tmp_path / "big"))
    np.testing.assert_array_equal(again.matrix, matrix)


def test_saving_nan_or_a_duplicate_word_is_refused(tmp_path):
    matrix = np.ones((3, 2), np.float32)
    matrix[2, 1] = np.nan
    with pytest.raises(VectorsFormatError, match="row 2"):
        native.save_native(tmp_path / "nan", ["a", "b", "c"], matrix, {})
    with pytest.raises(VectorsFormatError, match="'a' twice"):
        native.save_native(tmp_path / "dup", ["a", "b", "a"], np.ones((3, 2), np.float32), {})
    assert list(tmp_path.iterdir()) == []
