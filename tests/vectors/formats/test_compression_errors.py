"""Corrupt and truncated compressed vectors files (gzip, bzip2, xz, zip) are refused with a
VectorsFormatError naming the file and the byte offset its decompressor reached, never a raw
``BadZipFile``, ``EOFError``, ``zlib.error`` or ``OSError`` (issue 23, items 7 and 11)."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zipfile

import numpy as np
import pytest

from nlptransfer.errors import VectorsFormatError
from nlptransfer.vectors.read import read_vectors
from tests.conftest import gensim_data

COMPRESS = {
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
}


def _zip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("vectors.txt", data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def glove_text() -> bytes:
    return gensim_data("test_glove.txt").read_bytes()


@pytest.mark.parametrize("suffix", ["gz", "bz2", "xz"])
def test_a_compressed_file_reads_as_the_plain_one(tmp_path, glove_text, suffix):
    plain = tmp_path / "v.txt"
    plain.write_bytes(glove_text)
    packed = tmp_path / f"v.txt.{suffix}"
    packed.write_bytes(COMPRESS[suffix](glove_text))
    a, b = read_vectors(plain), read_vectors(packed)
    assert a.words == b.words and np.array_equal(a.matrix, b.matrix)


@pytest.mark.parametrize("suffix", ["gz", "bz2", "xz"])
@pytest.mark.parametrize("damage", ["truncate", "corrupt"])
def test_damaged_compressed_data_names_the_file_and_offset(tmp_path, glove_text, suffix, damage):
    data = COMPRESS[suffix](glove_text)
    cut = data[: len(data) // 2]
    data = cut if damage == "truncate" else data[:30] + b"\xff" * 40 + data[70:]
    path = tmp_path / f"v.txt.{suffix}"
    path.write_bytes(data)
    with pytest.raises(VectorsFormatError) as info:
        read_vectors(path, format="glove")
    assert info.value.path == str(path)
    assert info.value.offset is not None and 0 < info.value.offset <= len(data)
    assert f"byte offset {info.value.offset}" in str(info.value)
    if damage == "truncate":
        assert "truncated" in str(info.value)


@pytest.mark.parametrize("cut", [4, 30, 100, -30])
def test_a_truncated_zip_is_a_format_error_naming_it(tmp_path, glove_text, cut):
    """Was a raw ``zipfile.BadZipFile: File is not a zip file``, naming nothing."""
    path = tmp_path / "v.zip"
    path.write_bytes(_zip(glove_text)[:cut])
    with pytest.raises(VectorsFormatError) as info:
        read_vectors(path)
    assert info.value.path == str(path)
    assert "zip" in str(info.value)


@pytest.mark.parametrize("at", [40, 100])  # the member's header, its deflated data
def test_a_corrupt_zip_member_names_the_file_and_offset(tmp_path, glove_text, at):
    data = _zip(glove_text)
    path = tmp_path / "v.zip"
    path.write_bytes(data[:at] + b"\xff" * 30 + data[at + 30 :])
    with pytest.raises(VectorsFormatError) as info:
        read_vectors(path, format="glove")
    assert info.value.path == str(path) and info.value.offset is not None
