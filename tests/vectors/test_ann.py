"""The approximate (HNSW, faiss) index against exact search."""

from __future__ import annotations

import sys

import pytest

from nlptransfer import load_vectors
from nlptransfer.errors import MissingExtraError, VectorsFormatError
from nlptransfer.vectors import ann


def test_missing_faiss_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "faiss", None)  # import faiss now raises ImportError
    with pytest.raises(MissingExtraError, match=r"nlptransfer\[ann\]"):
        ann.require_faiss()
    with pytest.raises(ImportError):  # MissingExtraError is an ImportError too
        ann.ApproximateIndex.build(load_vectors("glove-6b-50d", limit=10))


@pytest.fixture(scope="module")
def index():
    pytest.importorskip("faiss")
    vectors = load_vectors("glove-6b-50d", limit=10_000)
    return ann.ApproximateIndex.build(vectors, m=16, ef_construction=64, progress=False)


def test_recall_against_exact_search(index):
    queries = index.vectors.words[:2000:10]
    assert ann.recall_at_k(index, queries, k=10) >= 0.95
    index.ef_search = 4  # a tiny beam loses neighbours: recall measures something real
    try:
        assert ann.recall_at_k(index, queries, k=10) < 0.95
    finally:
        index.ef_search = 128


def test_results_look_like_exact_nearest(index):
    hits = index.nearest(["king", "film"], k=3)
    exact = index.vectors.nearest(["king", "film"], k=3)
    assert [[w for w, _ in h] for h in hits] == [[w for w, _ in h] for h in exact]
    assert all(w != "king" for w, _ in hits[0])
    excluded = index.nearest(["king"], k=3, exclude=[["prince"]])[0]
    assert "prince" not in [w for w, _ in excluded]
    by_vector = index.nearest(index.vectors["king"][None, :], k=1)[0]
    assert by_vector[0][0] == "king"


def test_save_and_load_round_trip_and_refuse_other_vectors(index, tmp_path):
    folder = index.save(tmp_path / "glove.hnsw")
    again = ann.ApproximateIndex.load(folder, index.vectors)
    assert again.params == index.params
    assert again.nearest(["queen"], k=5) == index.nearest(["queen"], k=5)
    other = load_vectors("glove-6b-50d", limit=9_999)
    with pytest.raises(VectorsFormatError, match="expected an index built on these vectors"):
        ann.ApproximateIndex.load(folder, other)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data[:40],
        lambda data: b"",
        lambda data: b"IHNf" + b"\xff" * 64,
    ],
)
def test_a_corrupt_faiss_file_is_a_format_error_naming_it(index, tmp_path, damage):
    """Was a raw RuntimeError from faiss (issue 23, item 7)."""
    folder = index.save(tmp_path / "glove.hnsw")
    path = folder / "hnsw.faiss"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(VectorsFormatError, match="expected a faiss index") as info:
        ann.ApproximateIndex.load(folder, index.vectors)
    assert info.value.path == str(path)


@pytest.mark.parametrize("meta", ["[]", '{"format": 1}', "\xff"])
def test_a_malformed_index_description_is_a_format_error(index, tmp_path, meta):
    folder = index.save(tmp_path / "glove.hnsw")
    (folder / "index.json").write_bytes(meta.encode("latin-1"))
    with pytest.raises(VectorsFormatError, match=r"index\.json|glove\.hnsw"):
        ann.ApproximateIndex.load(folder, index.vectors)
