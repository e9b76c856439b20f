"""Every kind of bad input gives a VectorsFormatError naming the file, the line or offset, what
was expected and what was found. The files are real ones, damaged the way files get damaged."""

from __future__ import annotations

import gzip
import logging
import shutil
import warnings

import numpy as np
import pytest

from nlptransfer import load_vectors
from nlptransfer.errors import NLPTransferError, VectorsFormatError, VectorsNotFoundError
from tests.conftest import gensim_data


@pytest.fixture
def glove_lines():
    return gensim_data("test_glove.txt").read_bytes().splitlines(keepends=True)


@pytest.fixture
def vec_lines():
    return gensim_data("lee_fasttext.vec").read_bytes().splitlines(keepends=True)


def write(tmp_path, name, lines):
    path = tmp_path / name
    path.write_bytes(b"".join(lines))
    return path


def error_of(path, **kwargs) -> VectorsFormatError:
    with pytest.raises(VectorsFormatError) as info:
        load_vectors(path, **kwargs)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, NLPTransferError)
    return info.value


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "empty file" in str(error_of(path))


def test_empty_file_with_explicit_format(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    err = error_of(path, format="glove")
    assert err.line == 1 and "empty file" in str(err)


def test_too_few_values(tmp_path, glove_lines):
    glove_lines[3] = glove_lines[3].rsplit(b" ", 1)[0] + b"\n"
    err = error_of(write(tmp_path, "short.txt", glove_lines))
    assert err.line == 4
    assert "expected 50 values" in str(err) and "found 49" in str(err)


def test_too_many_values(tmp_path, vec_lines):
    vec_lines[5] = vec_lines[5].rstrip(b"\n") + b" 0.5\n"
    err = error_of(write(tmp_path, "long.vec", vec_lines))
    assert err.line == 6 and "expected 10 values" in str(err) and "found 11" in str(err)


def test_too_many_values_in_glove_is_not_mistaken_for_a_spaced_token(tmp_path, glove_lines):
    glove_lines[2] = glove_lines[2].rstrip(b"\n") + b" 0.5\n"
    err = error_of(write(tmp_path, "long.txt", glove_lines))
    assert err.line == 3 and "found 51" in str(err)


def test_value_that_is_not_a_number(tmp_path, vec_lines):
    fields = vec_lines[9].split(b" ")
    fields[4] = b"0.1x"
    vec_lines[9] = b" ".join(fields)
    err = error_of(write(tmp_path, "nan.vec", vec_lines))
    assert err.line == 10 and "expected a number" in str(err) and "0.1x" in str(err)


@pytest.mark.parametrize("bad", [b"nan", b"inf", b"-inf", b"NaN"])
def test_nan_and_infinity(tmp_path, vec_lines, bad):
    fields = vec_lines[20].split(b" ")
    fields[3] = bad
    vec_lines[20] = b" ".join(fields)
    err = error_of(write(tmp_path, "inf.vec", vec_lines))
    assert err.line == 21 and "expected finite numbers" in str(err)


@pytest.mark.parametrize("rows", [3, 30_000], ids=["small", "fast-path"])
def test_a_number_beyond_float32_is_refused_saying_so_without_a_numpy_warning(tmp_path, rows):
    """1e39 rounds to inf in float32: refused, with the reason, and no RuntimeWarning from the
    cast before it (the large file takes the block parser, the small one the line parser)."""
    lines = [f"w{i} 0.5 0.25" for i in range(rows)]
    lines[1] = "café 1e39 0.25"
    path = tmp_path / "big.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        err = error_of(path)
    assert err.line == 2
    assert "found inf (or a number beyond float32's +-3.4e38) in the vector of 'café'" in str(err)


def test_nan_in_binary(tmp_path):
    data = bytearray(gensim_data("euclidean_vectors.bin").read_bytes())
    header_end = data.index(b"\n") + 1
    vec_start = data.index(b" ", header_end) + 1
    data[vec_start : vec_start + 4] = np.float32("nan").tobytes()
    path = tmp_path / "nan.bin"
    path.write_bytes(bytes(data))
    err = error_of(path)
    assert err.offset == header_end and "expected finite numbers" in str(err)


@pytest.mark.parametrize("keep", [0.3, 0.999])
def test_binary_truncated_mid_vector(tmp_path, keep):
    data = gensim_data("euclidean_vectors.bin").read_bytes()
    path = tmp_path / "cut.bin"
    path.write_bytes(data[: int(len(data) * keep)])
    err = error_of(path)
    assert err.offset is not None and "truncated" in str(err)


def test_text_header_count_disagrees_with_data():
    # A real file from gensim's test data whose header claims 3 words but holds 1.
    path = gensim_data("pretrained.vec")
    err = error_of(path)
    assert err.line == 1 and "header says 3 words" in str(err) and "has 1 rows" in str(err)


def test_text_header_count_too_small(tmp_path, vec_lines):
    vec_lines[0] = b"100 10\n"
    err = error_of(write(tmp_path, "count.vec", vec_lines))
    assert "header says 100 words" in str(err)


def test_text_header_dim_disagrees(tmp_path, vec_lines):
    vec_lines[0] = b"1762 12\n"
    err = error_of(write(tmp_path, "dim.vec", vec_lines))
    assert err.line == 2 and "expected 12 values" in str(err) and "found 10" in str(err)


def test_binary_header_count_disagrees(tmp_path):
    data = gensim_data("euclidean_vectors.bin").read_bytes()
    path = tmp_path / "count.bin"
    path.write_bytes(b"2748" + data[4:])  # one more word than the file holds
    assert "header says 2748 words" in str(error_of(path))
    path.write_bytes(b"2746" + data[4:])  # one fewer: data left over
    assert "disagrees" in str(error_of(path))


def test_binary_header_dim_disagrees(tmp_path):
    data = gensim_data("euclidean_vectors.bin").read_bytes()
    path = tmp_path / "dim.bin"
    path.write_bytes(data.replace(b"2747 10\n", b"2747 12\n", 1))
    assert "dimension disagrees" in str(error_of(path))


def test_corrupt_gzip(tmp_path):
    data = bytearray(gzip.compress(gensim_data("lee_fasttext.vec").read_bytes()))
    data[len(data) // 2 : len(data) // 2 + 64] = b"\x00" * 64
    path = tmp_path / "bad.vec.gz"
    path.write_bytes(bytes(data))
    assert "corrupt compressed data" in str(error_of(path, format="vec"))


def test_truncated_gzip(tmp_path):
    data = gzip.compress(gensim_data("lee_fasttext.vec").read_bytes())
    path = tmp_path / "cut.vec.gz"
    path.write_bytes(data[: len(data) // 2])
    assert "truncated" in str(error_of(path, format="vec"))


def test_missing_path():
    with pytest.raises(VectorsNotFoundError, match="no such file"):
        load_vectors("/nonexistent/dir/vectors.txt")


def test_unknown_name_lists_known_names():
    with pytest.raises(VectorsNotFoundError, match="glove-6b-50d"):
        load_vectors("glove-7b-51d")


def test_unrecognisable_content(tmp_path):
    path = tmp_path / "readme.txt"
    path.write_text("This is not a vectors file.\nIt has prose.\n")
    assert "expected a known vectors format" in str(error_of(path))


def test_duplicate_words_keep_the_first_and_warn(tmp_path, glove_lines, caplog):
    lines = [*glove_lines[:5], glove_lines[1], *glove_lines[5:8], glove_lines[1], glove_lines[2]]
    path = write(tmp_path, "dups.txt", lines)
    with caplog.at_level(logging.WARNING):
        loaded = load_vectors(path)
    clean = load_vectors(gensim_data("test_glove.txt"), limit=8)
    assert loaded.words == clean.words
    np.testing.assert_array_equal(loaded.matrix, clean.matrix)
    assert loaded.meta["duplicates_skipped"] == 3
    assert "3 duplicate word(s)" in caplog.text and "line 6" in caplog.text


def _invalid_utf8_file(tmp_path, vec_lines):
    vec_lines[3] = b"caf\xe9" + vec_lines[3][vec_lines[3].index(b" ") :]  # Latin-1 byte
    return write(tmp_path, "latin1.vec", vec_lines)


def test_invalid_utf8_replaced_by_default(tmp_path, vec_lines, caplog):
    with caplog.at_level(logging.WARNING):
        loaded = load_vectors(_invalid_utf8_file(tmp_path, vec_lines))
    assert loaded.words[2] == "caf\ufffd"
    assert "not valid UTF-8" in caplog.text


def test_invalid_utf8_skip(tmp_path, vec_lines):
    loaded = load_vectors(_invalid_utf8_file(tmp_path, vec_lines), unicode_errors="skip")
    assert len(loaded) == 1761 and "caf\ufffd" not in loaded


def test_invalid_utf8_strict(tmp_path, vec_lines):
    err = error_of(_invalid_utf8_file(tmp_path, vec_lines), unicode_errors="strict")
    assert err.line == 4 and "expected a UTF-8 word" in str(err)


def test_invalid_unicode_policy_is_rejected():
    with pytest.raises(ValueError, match="unicode_errors must be one of"):
        load_vectors(gensim_data("lee_fasttext.vec"), unicode_errors="bogus")


def test_bad_input_does_not_touch_the_source(tmp_path, vec_lines):
    vec_lines[5] = b"broken line\n"
    path = write(tmp_path, "broken.vec", vec_lines)
    before = path.read_bytes()
    error_of(path)
    assert path.read_bytes() == before


def test_copy_of_real_file_loads(tmp_path):
    # Control: the undamaged copy loads, so the failures above come from the damage.
    path = tmp_path / "lee.vec"
    shutil.copy(gensim_data("lee_fasttext.vec"), path)
    assert len(load_vectors(path)) == 1762
