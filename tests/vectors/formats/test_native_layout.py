"""The native store's layout, version 2: versioned data folders behind one ``meta.json``
pointer, superseded versions removed, version 1 stores still open, and similarity search that
reads the store's norms instead of building a normalised copy."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nlptransfer import Vectors, load_vectors
from nlptransfer.vectors.formats import native_layout
from nlptransfer.vectors.topk import ScaledRows
from tests.conftest import gensim_data
from tests.vectors.formats.native_v1 import data_dir, write_v1_store


@pytest.fixture(scope="module")
def lee():
    return load_vectors(gensim_data("lee_fasttext.vec"))


def test_a_version_1_store_still_opens_and_searches_without_a_copy(tmp_path, lee):
    store = write_v1_store(tmp_path / "old.ntv", lee.words, lee.matrix, {"format": "glove"})
    assert sorted(p.name for p in store.iterdir()) == ["meta.json", "vectors.npy", "vocab.txt"]
    old = load_vectors(store)
    assert old.words == lee.words and isinstance(old.matrix, np.memmap)
    np.testing.assert_array_equal(old.matrix, lee.matrix)
    assert old.meta["native_format_version"] == 1
    assert isinstance(old.unit_view(), ScaledRows)  # norms computed once, not a unit copy
    assert old.nearest(["day", "two"], k=5) == lee.nearest(["day", "two"], k=5)
    assert old._unit_cache is None


def test_saving_over_a_version_1_store_publishes_version_2_and_removes_the_old_files(tmp_path, lee):
    store = write_v1_store(tmp_path / "old.ntv", lee.words, lee.matrix, {})
    small = lee.subset(lee.words[:5])
    assert small.save(store) == store
    data = data_dir(store)
    assert sorted(p.name for p in store.iterdir()) == [".lock", data.name, "meta.json"]
    meta = json.loads((store / "meta.json").read_text())
    assert meta["native_format_version"] == 2 and meta["data"] == data.name
    assert load_vectors(store).words == lee.words[:5]


def test_each_save_publishes_a_new_version_and_removes_the_superseded(tmp_path, lee):
    store = lee.save(tmp_path / "lee")
    first = data_dir(store)
    opened = Vectors.load(store)  # maps the first version's files
    (store / "notes.txt").write_text("mine")  # a user's file: left alone
    (store / "data-0123456789abcdef").mkdir()  # left by a save that was killed
    (store / ".meta.json.tmp-0123").write_text("{}")
    lee.subset(lee.words[:3]).save(store)
    second = data_dir(store)
    assert second != first and not first.exists()
    assert sorted(p.name for p in store.iterdir()) == [
        ".lock",
        second.name,
        "meta.json",
        "notes.txt",
    ]
    assert opened.words == lee.words  # what was open stays readable (POSIX keeps the files)
    np.testing.assert_array_equal(opened.matrix, lee.matrix)
    assert Vectors.load(store).words == lee.words[:3]


def test_save_refuses_a_file_or_a_folder_that_is_not_a_store(tmp_path, lee):
    (tmp_path / "file.ntv").write_text("mine")
    with pytest.raises(FileExistsError, match="not a native store"):
        lee.save(tmp_path / "file")
    (tmp_path / "folder.ntv").mkdir()
    (tmp_path / "folder.ntv" / "photo.jpg").write_bytes(b"mine")
    with pytest.raises(FileExistsError, match="not a native store"):
        lee.save(tmp_path / "folder")
    assert (tmp_path / "folder.ntv" / "photo.jpg").read_bytes() == b"mine"
    (tmp_path / "empty.ntv").mkdir()
    assert Vectors.load(lee.save(tmp_path / "empty")).words == lee.words


def test_a_failed_first_save_leaves_nothing(tmp_path, lee, monkeypatch):
    from nlptransfer.vectors.formats import native

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(native, "publish", broken)
    with pytest.raises(OSError, match="disk full"):
        lee.save(tmp_path / "lee")
    assert list(tmp_path.iterdir()) == []


def test_store_search_reads_the_stored_norms_and_agrees_with_memory(tmp_path, lee):
    stored = Vectors.load(lee.save(tmp_path / "lee"))
    view = stored.unit_view()
    assert isinstance(view, ScaledRows) and isinstance(view.norms, np.memmap)
    np.testing.assert_array_equal(view.norms, np.linalg.norm(lee.matrix, axis=1))
    np.testing.assert_array_equal(view[np.arange(len(lee))], lee.unit_matrix())
    found = zip(stored.nearest(lee.words[:50], k=5), lee.nearest(lee.words[:50], k=5), strict=True)
    for got, want in found:
        assert [w for w, _ in got] == [w for w, _ in want]
        np.testing.assert_allclose([s for _, s in got], [s for _, s in want], atol=1e-6)
    assert stored.most_similar("day", k=3) == lee.most_similar("day", k=3)
    for method in ("3cosadd", "3cosmul"):
        question = [("day", "days", "year")]
        got = stored.solve_analogies(question, k=3, method=method)
        assert [w for w, _ in got[0]] == [
            w for w, _ in lee.solve_analogies(question, 3, method=method)[0]
        ]
    assert stored._unit_cache is None  # no normalised copy was made


def test_loading_with_mmap_false_reads_the_norms_too_and_edits_drop_them(tmp_path, lee):
    copy = Vectors.load(lee.save(tmp_path / "lee"), mmap=False)
    assert isinstance(copy.unit_view(), ScaledRows) and copy.matrix.flags.writeable
    copy.matrix[0] *= 2
    copy.clear_caches()
    assert isinstance(copy.unit_view(), np.ndarray)  # recomputed from the edited matrix


def test_meta_digest_is_checked(tmp_path, lee):
    store = lee.save(tmp_path / "lee")
    meta = json.loads((store / "meta.json").read_text())
    assert meta["meta_sha256"] == native_layout.meta_digest(meta)
    meta["source"] = "somewhere else"
    (store / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="meta_sha256"):
        Vectors.load(store)
