"""Text formats against gensim on real files: GloVe, word2vec text, fastText .vec."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from nlptransfer import load_vectors
from nlptransfer.vectors.formats.text import read_text_vectors
from nlptransfer.vectors.formats.text_writer import write_text_vectors
from tests.conftest import gensim_data

KeyedVectors = pytest.importorskip(
    "gensim.models", reason="gensim is the reference here: pip install 'nlptransfer[pretrain]'"
).KeyedVectors


def assert_same_as_gensim(ours, kv):
    assert ours.words == list(kv.index_to_key)
    np.testing.assert_array_equal(ours.matrix, kv.vectors)


@pytest.mark.parametrize("name", ["crime-and-punishment.vec", "lee_fasttext.vec"])
def test_vec_files_match_gensim(name):
    path = gensim_data(name)
    ours = load_vectors(path)
    assert ours.format == "word2vec-text"
    assert_same_as_gensim(ours, KeyedVectors.load_word2vec_format(str(path)))


def test_invalid_utf8_words_are_replaced_as_gensim_does():
    # This real fastText .vec holds words cut mid-character (bytes that are not UTF-8).
    path = gensim_data("pang_lee_polarity_fasttext.vec")
    ours = load_vectors(path)
    kv = KeyedVectors.load_word2vec_format(str(path), unicode_errors="replace")
    assert_same_as_gensim(ours, kv)
    assert any("\ufffd" in w for w in ours.words)


def test_glove_file_matches_gensim():
    path = gensim_data("test_glove.txt")
    ours = load_vectors(path)
    assert ours.format == "glove"
    assert "ö" in ours  # non-ASCII words survive
    assert_same_as_gensim(ours, KeyedVectors.load_word2vec_format(str(path), no_header=True))


def test_high_precision_values_round_like_gensim():
    path = gensim_data("high_precision.kv.txt")
    assert_same_as_gensim(load_vectors(path), KeyedVectors.load_word2vec_format(str(path)))


def test_shared_glove_100d_gz_matches_gensim(shared_file):
    path = shared_file("vectors/glove.6B.100d.txt.gz")
    ours = load_vectors(path, limit=20000)
    kv = KeyedVectors.load_word2vec_format(str(path), no_header=True, limit=20000)
    assert_same_as_gensim(ours, kv)
    assert ours.dim == 100


def test_shared_glove_vocab_filter_streams_only_wanted_rows(shared_file):
    path = shared_file("vectors/glove.6B.100d.txt.gz")
    wanted = {"movie", "film", "excellent", "terrible", "not-a-glove-word-xyz"}
    ours = load_vectors(path, vocab=wanted)
    assert set(ours.words) == wanted - {"not-a-glove-word-xyz"}
    kv = KeyedVectors.load_word2vec_format(str(path), no_header=True, limit=20000)
    np.testing.assert_array_equal(ours["movie"], kv["movie"])


def test_trailing_space_and_crlf_lines(tmp_path):
    # word2vec's C tool and fastText write a space after the last value; Windows files use CRLF.
    real = load_vectors(gensim_data("lee_fasttext.vec"), limit=50)
    lines = [
        f"{w} " + " ".join(repr(float(x)) for x in row) + " \r\n"
        for w, row in zip(real.words, real.matrix, strict=False)
    ]
    path = tmp_path / "crlf.vec"
    path.write_bytes(f"{len(lines)} {real.dim}\r\n".encode() + "".join(lines).encode())
    again = load_vectors(path)
    assert again.words == real.words
    np.testing.assert_array_equal(again.matrix, real.matrix)


def test_trailing_space_fast_path(tmp_path):
    real = load_vectors(gensim_data("lee_fasttext.vec"), limit=50)
    text = "".join(
        f"{w} " + " ".join(repr(float(x)) for x in row) + " \n"
        for w, row in zip(real.words, real.matrix, strict=False)
    )
    path = tmp_path / "trailing.vec"
    path.write_text(f"50 {real.dim}\n" + text)
    again = load_vectors(path)
    np.testing.assert_array_equal(again.matrix, real.matrix)


def test_glove_tokens_with_spaces_take_the_last_dim_fields(tmp_path):
    # glove.840B has tokens such as ". . ." : the last `dim` fields are the vector.
    real = load_vectors(gensim_data("test_glove.txt"))
    rows = [(w, r) for w, r in zip(real.words[:5], real.matrix[:5], strict=False)]
    rows.insert(2, (". . .", real.matrix[10]))
    rows.insert(4, ("at name@domain.com", real.matrix[11]))
    path = tmp_path / "spaced.txt"
    path.write_text("".join(f"{w} " + " ".join(repr(float(x)) for x in r) + "\n" for w, r in rows))
    loaded = load_vectors(path)
    assert loaded.words == [w for w, _ in rows]
    np.testing.assert_array_equal(loaded[". . ."], real.matrix[10])
    np.testing.assert_array_equal(loaded["at name@domain.com"], real.matrix[11])


def test_limit_keeps_first_rows_and_header_count_is_not_required():
    path = gensim_data("lee_fasttext.vec")
    ours = load_vectors(path, limit=7)
    assert_same_as_gensim(ours, KeyedVectors.load_word2vec_format(str(path), limit=7))


def test_limit_zero_gives_empty_vectors():
    ours = load_vectors(gensim_data("lee_fasttext.vec"), limit=0)
    assert len(ours) == 0 and ours.dim == 10


@pytest.mark.parametrize("header", [True, False])
def test_write_then_read_round_trips_exactly(tmp_path, header):
    real = load_vectors(gensim_data("crime-and-punishment.vec"))
    path = write_text_vectors(tmp_path / "out.txt", real.words, real.matrix, header=header)
    again = load_vectors(path)
    assert again.words == real.words
    np.testing.assert_array_equal(again.matrix, real.matrix)
    kv = KeyedVectors.load_word2vec_format(str(path), no_header=not header)
    assert_same_as_gensim(again, kv)


def test_gensim_reads_what_we_write_and_we_read_what_gensim_writes(tmp_path):
    kv = KeyedVectors.load_word2vec_format(gensim_data("lee_fasttext.vec"))
    theirs = tmp_path / "gensim.txt"
    kv.save_word2vec_format(str(theirs), binary=False)
    assert_same_as_gensim(load_vectors(theirs), kv)


def test_write_refuses_words_a_text_format_cannot_hold(tmp_path):
    m = np.zeros((1, 2), np.float32)
    with pytest.raises(ValueError, match="line breaks"):
        write_text_vectors(tmp_path / "x.txt", ["a\nb"], m, header=False)
    with pytest.raises(ValueError, match="spaces"):
        write_text_vectors(tmp_path / "x.txt", ["a b"], m, header=True)
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_gzip_input(tmp_path):
    source = gensim_data("lee_fasttext.vec")
    gz = tmp_path / "lee.vec.gz"
    gz.write_bytes(gzip.compress(source.read_bytes()))
    assert_same_as_gensim(load_vectors(gz), KeyedVectors.load_word2vec_format(str(source)))


def test_header_none_detects_glove_vs_word2vec():
    assert read_text_vectors(gensim_data("test_glove.txt")).meta["header_count"] is None
    assert read_text_vectors(gensim_data("lee_fasttext.vec")).meta["header_count"] == 1762
