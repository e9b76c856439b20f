"""Tampered native stores: every open gives the store as saved or a project error naming the
file, never another exception (issue 23, item 7) and never a silently different store.

The one change a store cannot detect cheaply is a value inside ``vectors.npy`` replaced by
another finite value (hashing the matrix at every open would cost what memory-mapping saves):
such a store opens with its words and shape, and the test says so.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlptransfer import Vectors
from nlptransfer.errors import NLPTransferError, VectorsFormatError
from nlptransfer.vectors.formats.native import load_native
from nlptransfer.vectors.formats.native_layout import meta_text
from tests.vectors.formats.native_v1 import data_dir, write_v1_store

WORDS = ["the", "line\nbreak", "back\\slash", "émoji🙂", "cat", "dog", "zero"]
FILES = ("meta.json", "vectors.npy", "vocab.txt", "norms.npy")


def _original() -> Vectors:
    matrix = np.random.default_rng(7).standard_normal((len(WORDS), 5)).astype(np.float32)
    matrix[-1] = 0  # a zero row: norm 0
    return Vectors(WORDS, matrix, meta={"source": "tampering test"})


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    return _original().save(tmp_path_factory.mktemp("tampered") / "store")


def _file(store: Path, name: str) -> Path:
    return store / name if name == "meta.json" else data_dir(store) / name


def _data_offset(path: Path) -> int:
    with open(path, "rb") as f:
        np.lib.format.read_magic(f)
        np.lib.format.read_array_header_1_0(f)
        return f.tell()


def _check_open(store: Path, saved: Path, in_matrix_data: bool) -> None:
    """Open ``store`` (a tampered copy of ``saved``): a project error naming a file of it, or
    the original store (its words, rows, norms and ``meta.json``)."""
    original = _original()
    try:
        opened = load_native(store)
    except NLPTransferError as exc:
        assert isinstance(exc, VectorsFormatError)
        assert str(store) in str(exc)
        return
    assert opened.words == original.words
    assert opened.meta == json.loads((saved / "meta.json").read_text())
    assert opened.matrix.shape == original.matrix.shape
    assert np.isfinite(opened.matrix).all()
    if not in_matrix_data:
        np.testing.assert_array_equal(opened.matrix, original.matrix)
        np.testing.assert_array_equal(opened.norms, np.linalg.norm(original.matrix, axis=1))


edits = st.one_of(
    st.tuples(st.just("replace"), st.integers(0, 10_000), st.binary(min_size=1, max_size=4)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.binary(min_size=1, max_size=4)),
    st.tuples(st.just("truncate"), st.integers(0, 10_000), st.just(b"")),
    st.tuples(st.just("append"), st.just(0), st.binary(min_size=1, max_size=8)),
)


def _edit(data: bytes, edit: tuple[str, int, bytes]) -> tuple[bytes, int]:
    kind, at, payload = edit
    at = at % (len(data) + 1)
    if kind == "replace":
        return data[:at] + payload + data[at + len(payload) :], at
    if kind == "insert":
        return data[:at] + payload + data[at:], at
    if kind == "truncate":
        return data[:at], at
    return data + payload, len(data)


@settings(
    max_examples=int(os.environ.get("NLPTRANSFER_FUZZ_EXAMPLES", "150")),  # make fuzz: more
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=st.sampled_from(FILES), edit=edits)
def test_a_tampered_file_gives_the_store_or_a_project_error(saved, name, edit):
    with tempfile.TemporaryDirectory() as work:
        store = Path(shutil.copytree(saved, Path(work) / saved.name))
        path = _file(store, name)
        before = path.read_bytes()
        after, at = _edit(before, edit)
        path.write_bytes(after)
        in_data = (
            name == "vectors.npy"
            and edit[0] == "replace"
            and at >= _data_offset(_file(saved, name))
            and len(after) == len(before)
        )
        _check_open(store, saved, in_data)


def _rewrite_meta(store: Path, **changes) -> None:
    """``meta.json`` changed as a writer would write it (with a matching ``meta_sha256``)."""
    meta = json.loads((store / "meta.json").read_text())
    meta.update(changes)
    (store / "meta.json").write_text(meta_text(meta))


@pytest.mark.parametrize(
    "damage",
    [
        "empty vectors.npy",
        "empty vocab.txt",
        "empty meta.json",
        "meta.json a list",
        "meta.json not UTF-8",
        "vocab.txt not UTF-8",
        "no vocab.txt",
        "no norms.npy",
        "no version folder",
        "pointer to a missing version",
        "pointer outside the store",
        "count a string",
        "version folder a file",
        "vectors.npy big-endian",
        "subwords promised",
    ],
)
def test_each_damage_the_trial_found_is_a_format_error_naming_the_file(tmp_path, damage):
    store = _original().save(tmp_path / "store")
    data = data_dir(store)
    if damage == "empty vectors.npy":
        (data / "vectors.npy").write_bytes(b"")
    elif damage == "empty vocab.txt":
        (data / "vocab.txt").write_bytes(b"")
    elif damage == "empty meta.json":
        (store / "meta.json").write_bytes(b"")
    elif damage == "meta.json a list":
        (store / "meta.json").write_text("[]")
    elif damage == "meta.json not UTF-8":
        (store / "meta.json").write_bytes(b'{"a": "\xff"}')
    elif damage == "vocab.txt not UTF-8":
        (data / "vocab.txt").write_bytes(
            (data / "vocab.txt").read_bytes().replace(b"cat", b"c\xfft")
        )
    elif damage == "no vocab.txt":
        (data / "vocab.txt").unlink()
    elif damage == "no norms.npy":
        (data / "norms.npy").unlink()
    elif damage == "no version folder":
        shutil.rmtree(data)
    elif damage == "pointer to a missing version":
        _rewrite_meta(store, data="data-00000000deadbeef")
    elif damage == "pointer outside the store":
        _rewrite_meta(store, data="../elsewhere")
    elif damage == "count a string":
        _rewrite_meta(store, count="7")
    elif damage == "version folder a file":
        shutil.rmtree(data)
        data.write_bytes(b"not a folder")
    elif damage == "vectors.npy big-endian":
        np.save(data / "vectors.npy", _original().matrix.astype(">f4"))
    elif damage == "subwords promised":
        _rewrite_meta(store, has_subwords=True)
    with pytest.raises(VectorsFormatError) as caught:
        Vectors.load(store)
    assert str(store) in str(caught.value)


@pytest.mark.parametrize("damage", ["empty vectors.npy", "meta.json a list", "vocab.txt not UTF-8"])
def test_a_damaged_version_1_store_is_a_format_error_too(tmp_path, damage):
    original = _original()
    store = write_v1_store(tmp_path / "old.ntv", original.words, original.matrix, {})
    if damage == "empty vectors.npy":
        (store / "vectors.npy").write_bytes(b"")
    elif damage == "meta.json a list":
        (store / "meta.json").write_text("[]")
    else:
        (store / "vocab.txt").write_bytes(b"\xff\xfe\n" * len(WORDS))
    with pytest.raises(VectorsFormatError) as caught:
        Vectors.load(store)
    assert str(store) in str(caught.value)
