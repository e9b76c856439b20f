"""read_fasttext_binary against the fastText library itself, on real model files."""

from __future__ import annotations

import gzip
import os
import re
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nlptransfer.errors import VectorsFormatError
from nlptransfer.vectors.formats.fasttext_binary import is_fasttext_binary, read_fasttext_binary

fasttext = pytest.importorskip("fasttext")
fasttext_pybind = pytest.importorskip("fasttext_pybind")
gensim_utils = pytest.importorskip("gensim.test.utils")

REPO = Path(__file__).resolve().parents[3]
SHARED_DATA = Path(os.environ.get("NLPTRANSFER_SHARED_DATA", REPO.parent / "shared" / "data"))
LID = SHARED_DATA / "vectors" / "lid.176.ftz"

#: Models the fastText library loads (the other gensim files predate fastText's magic number).
MODELS = ["lee_fasttext_new.bin", "crime-and-punishment.bin", "lid.176.ftz"]
OOV = ["supercalifragilistic", "xyzzy", "привет", "naïve", "日本語テキスト", "😀ok", "q", "zq", ""]


def model_path(name: str) -> Path:
    if name == "lid.176.ftz":
        if not LID.exists():
            pytest.skip(f"shared data not found: {LID}; set NLPTRANSFER_SHARED_DATA")
        return LID
    return Path(gensim_utils.datapath(name))


def load_fasttext(path: Path):
    return fasttext.load_model(str(path))


def dedupe(words: list[str]) -> list[int]:
    """Indices of the first occurrence of each word, as the reader keeps them."""
    seen: set[str] = set()
    keep = []
    for i, word in enumerate(words):
        if word not in seen:
            seen.add(word)
            keep.append(i)
    return keep


def word_vector_of_bytes(ft, raw: bytes) -> np.ndarray:
    """fastText's get_word_vector for raw (possibly invalid UTF-8) word bytes."""
    vec = fasttext_pybind.Vector(ft.get_dimension())
    ft.f.getWordVector(vec, raw)  # pybind11 passes bytes to std::string unchanged
    return np.array(vec)


@pytest.fixture(scope="module", params=MODELS)
def model(request):
    path = model_path(request.param)
    return path, read_fasttext_binary(path), load_fasttext(path)


def assert_rows_match(parsed, ft, rows: np.ndarray, reference: np.ndarray) -> None:
    if parsed.meta["qnorm"]:
        # norm * centroid might be fused (FMA) in other fastText builds: allow rounding.
        np.testing.assert_allclose(rows, reference, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_array_equal(rows, reference)


def test_every_word_row_is_fasttext_get_word_vector(model):
    _path, parsed, ft = model
    words = ft.get_words(on_unicode_error="replace")
    keep = dedupe(words)
    assert parsed.words == [words[i] for i in keep]
    assert parsed.matrix.dtype == np.float32
    assert parsed.matrix.shape == (len(keep), ft.get_dimension())
    reference = np.array([ft.get_word_vector(w) for w in parsed.words])
    assert_rows_match(parsed, ft, parsed.matrix, reference)


def test_oov_words_match_fasttext(model):
    _path, parsed, ft = model
    oov = [w for w in OOV if ft.get_word_id(w) < 0]
    assert len(oov) >= len(OOV) - 1
    reference = np.array([ft.get_word_vector(w) for w in oov])
    assert_rows_match(parsed, ft, parsed.subwords.vectors(oov), reference)
    for word, ref in zip(oov, reference, strict=True):
        assert_rows_match(parsed, ft, parsed.subwords.vector(word), ref)


def test_meta_carries_hyper_parameters(model):
    path, parsed, ft = model
    args = ft.f.getArgs()
    meta = parsed.meta
    assert meta["dim"] == args.dim == parsed.subwords.dim
    assert (meta["minn"], meta["maxn"], meta["bucket"]) == (args.minn, args.maxn, args.bucket)
    assert meta["model"] == {"sup": "supervised"}.get(args.model.name, args.model.name)
    assert meta["loss"] == args.loss.name
    assert meta["quantized"] == ft.is_quantized()
    assert meta["nwords"] == len(ft.get_words(on_unicode_error="replace"))
    expected = {
        "lee_fasttext_new.bin": (11, "skipgram", 1763, 0, False),
        "crime-and-punishment.bin": (12, "skipgram", 291, 0, False),
        "lid.176.ftz": (12, "supervised", 7235, 176, True),
    }[path.name]
    got = (meta["version"], meta["model"], meta["nwords"], meta["nlabels"], meta["pruned"])
    assert got == expected


def test_lid_is_quantized_pruned_with_norms_and_labels_left_out():
    path = model_path("lid.176.ftz")
    parsed = read_fasttext_binary(path)
    assert parsed.meta["quantized"]
    assert parsed.meta["qnorm"]
    assert parsed.meta["pruned"]
    assert parsed.subwords.pruned
    assert parsed.subwords.ngram_matrix.shape == (parsed.meta["pruned_buckets"], 16)
    assert not any(w.startswith("__label__") for w in parsed.words)
    ft = load_fasttext(path)
    labels = ft.get_labels()
    assert len(labels) == 176
    assert all(lab.startswith("__label__") for lab in labels)


def test_limit_keeps_first_words_with_identical_rows():
    path = model_path("lee_fasttext_new.bin")
    full = read_fasttext_binary(path)
    head = read_fasttext_binary(path, limit=10)
    assert head.words == full.words[:10]
    np.testing.assert_array_equal(head.matrix, full.matrix[:10])
    # The subword model is kept whole.
    np.testing.assert_array_equal(head.subwords.ngram_matrix, full.subwords.ngram_matrix)
    empty = read_fasttext_binary(path, limit=0)
    assert empty.words == []
    assert empty.matrix.shape == (0, 10)
    assert read_fasttext_binary(path, limit=10**9).words == full.words


def test_vocab_keeps_only_those_words_in_file_order():
    path = model_path("lee_fasttext_new.bin")
    full = read_fasttext_binary(path)
    wanted = {full.words[500], full.words[3], "not-a-word-in-lee", full.words[1700]}
    parsed = read_fasttext_binary(path, vocab=wanted)
    assert parsed.words == [full.words[3], full.words[500], full.words[1700]]
    index = {w: i for i, w in enumerate(full.words)}
    np.testing.assert_array_equal(parsed.matrix, full.matrix[[index[w] for w in parsed.words]])
    assert parsed.subwords.ngram_matrix.shape == full.subwords.ngram_matrix.shape
    # limit applies to the file's words first, then vocab filters them.
    both = read_fasttext_binary(path, vocab=wanted, limit=600)
    assert both.words == [full.words[3], full.words[500]]


def test_compressed_copies_read_the_same(tmp_path):
    path = model_path("crime-and-punishment.bin")
    plain = read_fasttext_binary(path)
    gz = tmp_path / "model.bin.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    archive = tmp_path / "model.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(path, "inner/model.bin")
        zf.writestr("readme.md", "not the model")
    for parsed in (
        read_fasttext_binary(gz),
        read_fasttext_binary(archive, member="inner/model.bin"),
    ):
        assert parsed.words == plain.words
        np.testing.assert_array_equal(parsed.matrix, plain.matrix)
        np.testing.assert_array_equal(parsed.subwords.ngram_matrix, plain.subwords.ngram_matrix)


def test_is_fasttext_binary_sniffs_the_magic():
    for name in MODELS:
        assert is_fasttext_binary(model_path(name).read_bytes()[:8])
    # A real pre-magic fastText file and a text file are not.
    assert not is_fasttext_binary(Path(gensim_utils.datapath("lee_fasttext.bin")).read_bytes()[:8])
    assert not is_fasttext_binary(b"the 0.1 0.2\n")
    assert not is_fasttext_binary(b"")


def test_wrong_magic_is_a_format_error():
    path = Path(gensim_utils.datapath("lee_fasttext.bin"))  # real, but older than the magic
    with pytest.raises(VectorsFormatError, match="magic number 793712314, found 10") as info:
        read_fasttext_binary(path)
    assert info.value.offset == 0
    with pytest.raises(ValueError, match="wrong file format"):
        load_fasttext(path)  # fastText refuses it too


def test_unsupported_version_is_a_format_error(tmp_path):
    data = bytearray(model_path("crime-and-punishment.bin").read_bytes())
    struct.pack_into("<i", data, 4, 13)
    bad = tmp_path / "v13.bin"
    bad.write_bytes(data)
    with pytest.raises(VectorsFormatError, match="version 11 or 12, found 13") as info:
        read_fasttext_binary(bad)
    assert info.value.offset == 4


def truncation_cases() -> list[tuple[str, str, int]]:
    """(model, what the error names, bytes to cut from the end or -offset from the start)."""
    # crime: dense skipgram, 291 words, dim 5; its output matrix (1 + 16 + 291*5*4 bytes) ends it.
    crime_output = 1 + 16 + 291 * 5 * 4
    # lid: the non-quantized output matrix of 176 labels x 16; before it the norm quantizer
    # (16 + 256*4 bytes), the norm codes (one per row, 50,000 rows), the quantizer
    # (16 + 16*256*4 bytes) and the codes (8 per row).
    lid_output = 1 + 16 + 176 * 16 * 4
    return [
        ("crime-and-punishment.bin", "output matrix", 10),
        ("crime-and-punishment.bin", "output matrix shape", crime_output - 5),
        ("crime-and-punishment.bin", "qout flag", crime_output),
        ("lid.176.ftz", "output matrix", 100),
        ("crime-and-punishment.bin", "magic number", -2),
        ("crime-and-punishment.bin", "format version", -6),
        ("crime-and-punishment.bin", "model arguments", -30),
        ("crime-and-punishment.bin", "dictionary header", -70),
        ("crime-and-punishment.bin", "dictionary entry", -300),
        ("crime-and-punishment.bin", "input matrix (n-gram rows)", crime_output + 40),
        ("crime-and-punishment.bin", "input matrix (word rows)", crime_output + 100 * 20 + 4),
        ("lid.176.ftz", "dictionary entry", -5000),
        ("lid.176.ftz", "pruned bucket index", -200_000),
        ("lid.176.ftz", "norm quantizer centroids", lid_output + 100),
        ("lid.176.ftz", "norm codes", lid_output + 1040 + 20_000),
        ("lid.176.ftz", "product quantizer centroids", lid_output + 1040 + 50_000 + 1000),
        ("lid.176.ftz", "quantization codes", lid_output + 1040 + 50_000 + 16_400 + 100_000),
    ]


@pytest.mark.parametrize(("name", "what", "cut"), truncation_cases())
def test_truncated_files_give_offset_and_sizes(tmp_path, name, what, cut):
    data = model_path(name).read_bytes()
    end = -cut if cut < 0 else len(data) - cut
    truncated = tmp_path / name
    truncated.write_bytes(data[:end])
    with pytest.raises(VectorsFormatError, match=re.escape(what)) as info:
        read_fasttext_binary(truncated)
    err = info.value
    assert err.offset is not None
    assert 0 <= err.offset <= end
    assert "expected" in err.detail
    assert "truncated" in err.detail
    found = int(re.search(r"found (?:end of file after )?(\d+)", err.detail).group(1))
    assert err.offset + found == end, err.detail  # the offset plus what was there is the end


def test_truncated_gzip_is_a_format_error(tmp_path):
    data = gzip.compress(model_path("crime-and-punishment.bin").read_bytes())
    truncated = tmp_path / "model.bin.gz"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(VectorsFormatError):
        read_fasttext_binary(truncated)


def test_a_corrupt_matrix_size_fails_before_allocating(tmp_path):
    path = model_path("crime-and-punishment.bin")
    data = bytearray(path.read_bytes())
    # The dense input matrix header (quant flag, int64 rows, int64 cols) follows the dictionary:
    # find it by its known shape (291 words + 100 buckets, dim 5).
    header = struct.pack("<?qq", False, 391, 5)
    at = data.index(header)
    struct.pack_into("<q", data, at + 1, 2**40)
    bad = tmp_path / "huge.bin"
    bad.write_bytes(data)
    with pytest.raises(VectorsFormatError, match="input matrix") as info:
        read_fasttext_binary(bad)
    assert info.value.offset is not None


def test_pruned_dictionary_with_dense_matrix_is_rejected_like_fasttext(tmp_path):
    path = model_path("crime-and-punishment.bin")
    data = bytearray(path.read_bytes())
    # Dictionary header at 64: size, nwords, nlabels (int32), ntokens, pruneidx_size (int64).
    assert struct.unpack_from("<q", data, 64 + 12 + 8)[0] == -1
    struct.pack_into("<q", data, 64 + 12 + 8, 0)
    bad = tmp_path / "pruned-dense.bin"
    bad.write_bytes(data)
    with pytest.raises(VectorsFormatError, match="pruned dictionary only with a quantized"):
        read_fasttext_binary(bad)
    with pytest.raises(ValueError, match="Invalid model file"):
        load_fasttext(bad)


@pytest.fixture(scope="module")
def invalid_utf8_model(tmp_path_factory):
    """crime-and-punishment.bin with one byte of a Cyrillic word made invalid UTF-8."""
    data = bytearray(model_path("crime-and-punishment.bin").read_bytes())
    word = "останавливаться".encode()
    at = data.index(word + b"\0")
    bad_byte_at = at + 2  # the first byte of the second letter (U+0441)
    data[bad_byte_at] = 0xFF
    path = tmp_path_factory.mktemp("utf8") / "invalid-utf8.bin"
    path.write_bytes(data)
    return path, bytes(data[at : at + len(word)]), bad_byte_at


def test_invalid_utf8_strict_raises_at_the_bad_byte(invalid_utf8_model):
    path, _raw, bad_byte_at = invalid_utf8_model
    with pytest.raises(VectorsFormatError, match="expected UTF-8") as info:
        read_fasttext_binary(path, unicode_errors="strict")
    assert info.value.offset == bad_byte_at


def test_invalid_utf8_replace_and_ignore_policies(invalid_utf8_model):
    path, raw, _ = invalid_utf8_model
    ft = load_fasttext(path)
    replaced = read_fasttext_binary(path)  # "replace" by default
    assert replaced.words == ft.get_words(on_unicode_error="replace")
    word = raw.decode("utf-8", errors="replace")
    assert "\ufffd" in word
    assert word in replaced.words
    ignored = read_fasttext_binary(path, unicode_errors="ignore")
    assert raw.decode("utf-8", errors="ignore") in ignored.words
    # The row is built from the raw bytes' n-grams, as fastText builds it.
    row = replaced.matrix[replaced.words.index(word)]
    np.testing.assert_array_equal(row, word_vector_of_bytes(ft, raw))
    assert not np.array_equal(row, ft.get_word_vector(word))  # the replaced text is another word
    np.testing.assert_array_equal(ignored.matrix, replaced.matrix)


def test_unknown_unicode_policy_and_bad_limit_are_value_errors():
    path = model_path("crime-and-punishment.bin")
    with pytest.raises(ValueError, match="unicode_errors"):
        read_fasttext_binary(path, unicode_errors="nonsense")
    with pytest.raises(ValueError, match="limit"):
        read_fasttext_binary(path, limit=-1)


def test_version_11_supervised_model_has_no_char_ngrams(tmp_path):
    """fastText ignores maxn for version-11 supervised models: a word's vector is its row."""
    data = bytearray(model_path("lee_fasttext_new.bin").read_bytes())
    assert struct.unpack_from("<2i", data, 0)[1] == 11
    struct.pack_into("<i", data, 8 + 7 * 4, 3)  # args.model = supervised
    # A supervised model's output matrix has one row per label (none here), not one per word.
    output_at = len(data) - (1 + 16 + 1763 * 10 * 4)
    assert struct.unpack_from("<?2q", data, output_at) == (False, 1763, 10)
    data = data[:output_at] + struct.pack("<?2q", False, 0, 10)
    path = tmp_path / "v11-supervised.bin"
    path.write_bytes(data)
    ft = load_fasttext(path)
    assert ft.f.getArgs().maxn == 0
    parsed = read_fasttext_binary(path)
    assert parsed.subwords.maxn == 0
    assert parsed.subwords.ngram_matrix.shape == (0, 10)
    assert parsed.meta["model"] == "supervised"
    assert parsed.meta["maxn"] == 0
    reference = np.array([ft.get_word_vector(w) for w in parsed.words])
    np.testing.assert_array_equal(parsed.matrix, reference)
    assert not ft.get_word_vector("xyzzy").any()  # fastText's OOV vector is zeros here
    np.testing.assert_array_equal(parsed.subwords.vector("xyzzy"), ft.get_word_vector("xyzzy"))


# --------------------------------------------------------------------------- hostile files
# crime-and-punishment.bin: 291 words, dim 5, bucket 100; its dense input matrix [391, 5] starts
# with the quant flag and the shape, its float32 data at CRIME_INPUT; the output matrix
# [291, 5] follows and ends the file.
CRIME_INPUT = 5962
CRIME_OUTPUT = CRIME_INPUT + 391 * 5 * 4


def crime_bytes() -> bytearray:
    data = bytearray(model_path("crime-and-punishment.bin").read_bytes())
    assert data[CRIME_INPUT - 17 : CRIME_INPUT] == struct.pack("<?qq", False, 391, 5)
    assert struct.unpack_from("<?qq", data, CRIME_OUTPUT) == (False, 291, 5)
    return data


def written(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_nan_in_a_kept_word_row_is_refused_with_its_offset(tmp_path):
    original = read_fasttext_binary(model_path("crime-and-punishment.bin"))
    data = crime_bytes()
    at = CRIME_INPUT + 4 * (7 * 5 + 2)  # word row 7, column 2
    struct.pack_into("<f", data, at, float("nan"))
    path = written(tmp_path, "nan.bin", data)
    assert np.isnan(load_fasttext(path).get_word_vector(original.words[7])).any()  # fastText: NaN
    with pytest.raises(VectorsFormatError, match=r"finite values .* nan in row 7") as info:
        read_fasttext_binary(path)
    assert info.value.offset == at
    assert info.value.path == str(path)
    # A row the reader does not keep may hold anything.
    parsed = read_fasttext_binary(path, vocab={original.words[3], original.words[9]})
    assert parsed.words == [original.words[3], original.words[9]]
    np.testing.assert_array_equal(parsed.matrix, original.matrix[[3, 9]])


def test_infinity_in_an_ngram_row_is_refused_with_its_offset(tmp_path):
    data = crime_bytes()
    at = CRIME_INPUT + 4 * ((291 + 40) * 5 + 1)  # n-gram row 40, column 1
    struct.pack_into("<f", data, at, float("-inf"))
    path = written(tmp_path, "inf.bin", data)
    with pytest.raises(VectorsFormatError, match=r"-inf in n-gram row 40") as info:
        read_fasttext_binary(path)
    assert info.value.offset == at


def test_finite_rows_that_overflow_when_averaged_are_refused(tmp_path):
    data = crime_bytes()
    # "the" (word 3) averages its own row with its n-gram rows: two huge rows overflow.
    for row in (3, 291 + 0, *range(291, 391)):
        struct.pack_into("<f", data, CRIME_INPUT + 4 * (row * 5), 3e38)
    path = written(tmp_path, "overflow.bin", data)
    with pytest.raises(VectorsFormatError, match="overflow float32"):
        read_fasttext_binary(path)


@pytest.mark.parametrize("at", [CRIME_INPUT + 1, CRIME_INPUT + 1000, CRIME_OUTPUT - 3])
@pytest.mark.parametrize("change", ["insert", "delete"])
def test_a_byte_inserted_or_deleted_inside_the_input_matrix_is_refused(tmp_path, at, change):
    data = crime_bytes()
    if change == "insert":
        data[at:at] = b"\x3f"
    else:
        del data[at]
    path = written(tmp_path, f"{change}-{at}.bin", data)
    with pytest.raises(VectorsFormatError, match=r"output matrix|qout flag") as info:
        read_fasttext_binary(path)
    assert info.value.path == str(path)
    assert info.value.offset is not None
    assert info.value.offset >= CRIME_OUTPUT - 1


@pytest.mark.parametrize("name", ["crime-and-punishment.bin", "lid.176.ftz"])
@pytest.mark.parametrize("junk", [b"\0", b"junk after the model\n"])
def test_bytes_after_the_output_matrix_are_refused(tmp_path, name, junk):
    data = model_path(name).read_bytes()
    path = written(tmp_path, name, data + junk)
    with pytest.raises(VectorsFormatError, match="end of the file") as info:
        read_fasttext_binary(path)
    assert info.value.offset == len(data)
    assert f"found {len(junk)} more bytes" in info.value.detail


def test_bytes_after_a_compressed_model_are_refused(tmp_path):
    data = model_path("crime-and-punishment.bin").read_bytes()
    path = written(tmp_path, "model.bin.gz", gzip.compress(data + b"\0\0"))
    with pytest.raises(VectorsFormatError, match="end of the file") as info:
        read_fasttext_binary(path)
    assert info.value.offset == len(data)


def test_output_matrix_shape_and_flag_must_match_the_model(tmp_path):
    data = crime_bytes()
    wrong_rows = bytearray(data)
    struct.pack_into("<q", wrong_rows, CRIME_OUTPUT + 1, 290)
    path = written(tmp_path, "rows.bin", wrong_rows)
    with pytest.raises(VectorsFormatError, match=r"output matrix of \[nwords = 291, dim = 5\]"):
        read_fasttext_binary(path)
    wrong_flag = bytearray(data)
    wrong_flag[CRIME_OUTPUT] = 7
    path = written(tmp_path, "flag.bin", wrong_flag)
    with pytest.raises(VectorsFormatError, match="qout flag 0 or 1") as info:
        read_fasttext_binary(path)
    assert info.value.offset == CRIME_OUTPUT


def test_duplicate_dictionary_entries_take_the_last_row_like_fasttext(tmp_path):
    original = read_fasttext_binary(model_path("crime-and-punishment.bin"))
    data = crime_bytes()
    # Entry 5 ("was") becomes a second "the" (entry 3): same length, the file stays aligned.
    assert (original.words[3], original.words[5]) == ("the", "was")
    at = data.index(b"\0was\0") + 1
    data[at : at + 3] = b"the"
    path = written(tmp_path, "duplicate.bin", data)
    ft = load_fasttext(path)
    assert ft.get_words().count("the") == 2
    assert ft.get_word_id("the") == 5  # fastText's lookup finds the last entry
    parsed = read_fasttext_binary(path)
    assert parsed.words == [w for w in original.words if w != "was"]
    reference = np.array([ft.get_word_vector(w) for w in parsed.words])
    np.testing.assert_array_equal(parsed.matrix, reference)
    assert not np.array_equal(parsed.matrix[3], original.matrix[3])


def test_a_model_without_subwords_gives_unknown_words_zeros_like_fasttext():
    from nlptransfer import read_vectors

    path = Path(gensim_utils.datapath("pang_lee_polarity_fasttext.bin"))  # supervised, maxn 0
    ft = load_fasttext(path)
    assert ft.f.getArgs().maxn == 0
    vectors = read_vectors(path)
    for word in ("xyzzy", "definitely-not-in-pang-lee", ""):
        assert ft.get_word_id(word) < 0
        np.testing.assert_array_equal(vectors.vector(word), ft.get_word_vector(word))
        assert not vectors.vector(word).any()
    known = vectors.words[:50]
    np.testing.assert_array_equal(
        np.array([vectors.vector(w) for w in known]),
        np.array([ft.get_word_vector(w) for w in known]),
    )


# --------------------------------------------------------------------------- fuzz property
CRIME_SIZE = 19619


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory):
    path = model_path("crime-and-punishment.bin")
    data = path.read_bytes()
    assert len(data) == CRIME_SIZE
    return data, read_fasttext_binary(path), tmp_path_factory.mktemp("fuzz") / "mutated.bin"


def same_model(a, b) -> bool:
    return (
        a.words == b.words
        and np.array_equal(a.matrix, b.matrix)
        and (a.subwords.minn, a.subwords.maxn) == (b.subwords.minn, b.subwords.maxn)
        and np.array_equal(a.subwords.ngram_matrix, b.subwords.ngram_matrix)
    )


def check_mutation(fuzz_target, change: str, at: int, byte: int) -> None:
    """A mutated real model loads as the original, as fastText reads it, or is refused."""
    data, original, path = fuzz_target
    mutated = bytearray(data)
    if change == "insert":
        mutated[at:at] = bytes([byte])
    elif change == "delete":
        del mutated[at]
    else:
        mutated[at] = byte
    path.write_bytes(mutated)
    try:
        parsed = read_fasttext_binary(path, unicode_errors="strict")
    except VectorsFormatError as exc:
        assert exc.path == str(path)
        assert str(path) in str(exc)
        return
    # The original, or another valid model (a word's letters changed, added or removed, a value
    # or minn/maxn changed): every size agrees with the file, so fastText loads it safely.
    assert np.isfinite(parsed.matrix).all()
    ft = load_fasttext(path)
    # Valid means fastText saves it back byte for byte (but the version: it writes 12): no
    # shifted section, nothing missing, nothing after the end.
    resaved = path.with_name("resaved.bin")
    ft.save_model(str(resaved))
    again = resaved.read_bytes()
    assert again[:4] + again[8:] == bytes(mutated[:4] + mutated[8:]), (change, at, byte)
    words = ft.get_words(on_unicode_error="strict")
    assert parsed.words == [words[i] for i in dedupe(words)]
    reference = np.array([ft.get_word_vector(w) for w in parsed.words]).reshape(-1, 5)
    np.testing.assert_array_equal(parsed.matrix, reference)
    for word in OOV:
        if ft.get_word_id(word) < 0:
            np.testing.assert_array_equal(parsed.subwords.vector(word), ft.get_word_vector(word))
    if mutated == data:
        assert same_model(parsed, original)


@pytest.mark.parametrize(
    ("change", "at", "byte"),
    [
        ("insert", CRIME_INPUT + 1000, 0),  # issue 23: loaded a shifted matrix
        ("overwrite", CRIME_INPUT + 11, 0x7F),  # a NaN in word row 0: loaded
        ("overwrite", 40024 % CRIME_SIZE, 0x80),  # a word's letter: another valid model
        ("delete", CRIME_SIZE - 1, 0),  # the output matrix truncated: loaded
        ("insert", CRIME_SIZE, 0),  # a byte appended: loaded
        ("insert", 598, 1),  # a letter added to a word ("young"): another valid model
    ],
)
def test_mutation_regressions(fuzz_target, change, at, byte):
    check_mutation(fuzz_target, change, at, byte)


def test_fuzz_single_byte_mutations_load_the_same_or_raise_a_format_error(fuzz_target):
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.settings(
        max_examples=int(os.environ.get("NLPTRANSFER_FUZZ_EXAMPLES", "150")),
        deadline=None,
        database=None,
        suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
    )
    @hypothesis.given(
        change=st.sampled_from(["insert", "delete", "overwrite"]),
        at=st.integers(0, CRIME_SIZE - 1),
        byte=st.integers(0, 255),
    )
    def run(change, at, byte):
        check_mutation(fuzz_target, change, at, byte)

    run()


# lid.176.ftz ends with: quantization codes (8 per row, 50,000 rows), the product quantizer
# (16 + 16*256*4 bytes), the norm codes (50,000), the norm quantizer (16 + 256*4), then the
# dense output matrix of 176 labels x 16 (qout flag, shape, data).
LID_OUTPUT = 1 + 16 + 176 * 16 * 4


def test_nan_centroid_in_a_quantized_model_is_refused_at_the_codes(tmp_path):
    data = bytearray(model_path("lid.176.ftz").read_bytes())
    codes_at = len(data) - LID_OUTPUT - 1040 - 50_000 - 16_400 - 400_000
    pq_at = codes_at + 400_000
    assert struct.unpack_from("<4i", data, pq_at) == (16, 8, 2, 2)
    # Every centroid of the first sub-quantizer (columns 0-1 of every row) becomes NaN.
    struct.pack_into("<512f", data, pq_at + 16, *([float("nan")] * 512))
    path = written(tmp_path, "nan-centroid.ftz", data)
    with pytest.raises(VectorsFormatError, match=r"nan in row 0 .* column 0") as info:
        read_fasttext_binary(path)
    assert info.value.offset == codes_at  # the code of row 0, column 0


def test_a_quantized_output_matrix_is_checked_and_stepped_over(tmp_path):
    """lid.176.ftz with its output matrix quantized as fastText's qout writes it."""
    original_path = model_path("lid.176.ftz")
    data = original_path.read_bytes()
    head = data[: len(data) - LID_OUTPUT]
    assert struct.unpack_from("<?2q", data, len(head)) == (False, 176, 16)
    rng = np.random.default_rng(23)
    quantized_output = (
        struct.pack("<??2qi", True, False, 176, 16, 176 * 8)  # qout, qnorm, rows, cols, codesize
        + rng.integers(0, 256, 176 * 8, dtype=np.uint8).tobytes()
        + struct.pack("<4i", 16, 8, 2, 2)  # dim, nsubq, dsub, lastdsub
        + rng.standard_normal(16 * 256).astype("<f4").tobytes()
    )
    path = written(tmp_path, "qout.ftz", head + quantized_output)
    ft = load_fasttext(path)
    assert ft.f.getArgs().qout
    parsed = read_fasttext_binary(path)
    original = read_fasttext_binary(original_path)
    assert parsed.words == original.words
    np.testing.assert_array_equal(parsed.matrix, original.matrix)
    reference = np.array([ft.get_word_vector(w) for w in parsed.words[:200]])
    assert_rows_match(parsed, ft, parsed.matrix[:200], reference)
    # Truncated inside it, or followed by junk: refused.
    cut = written(tmp_path, "cut.ftz", head + quantized_output[:-100])
    with pytest.raises(VectorsFormatError, match="output matrix product quantizer centroids"):
        read_fasttext_binary(cut)
    junk = written(tmp_path, "junk.ftz", head + quantized_output + b"\0")
    with pytest.raises(VectorsFormatError, match="end of the file") as info:
        read_fasttext_binary(junk)
    assert info.value.offset == len(head) + len(quantized_output)
    # Its shape must be one row per label.
    wrong = bytearray(head + quantized_output)
    struct.pack_into("<q", wrong, len(head) + 2, 175)
    with pytest.raises(VectorsFormatError, match=r"quantized output matrix of \[nlabels = 176"):
        read_fasttext_binary(written(tmp_path, "wrong.ftz", wrong))


def test_small_read_chunks_seek_or_stream_past_the_output_matrix(tmp_path, monkeypatch):
    """With a chunk smaller than the output matrix, a plain file seeks past it, a gzip reads."""
    from nlptransfer.vectors.formats import fasttext_reader

    data = model_path("crime-and-punishment.bin").read_bytes()
    expected = read_fasttext_binary(model_path("crime-and-punishment.bin"))
    monkeypatch.setattr(fasttext_reader, "_READ_CHUNK", 64)
    for name, wrap in (("m.bin", bytes), ("m.bin.gz", gzip.compress)):
        parsed = read_fasttext_binary(written(tmp_path, name, wrap(data)))
        assert parsed.words == expected.words
        np.testing.assert_array_equal(parsed.matrix, expected.matrix)
        with pytest.raises(VectorsFormatError, match="end of the file") as info:
            read_fasttext_binary(written(tmp_path, "junk-" + name, wrap(data + b"\0")))
        assert info.value.offset == len(data)
        with pytest.raises(VectorsFormatError, match="output matrix, found") as info:
            read_fasttext_binary(written(tmp_path, "cut-" + name, wrap(data[:-7])))
        assert info.value.offset == CRIME_OUTPUT + 17
