"""Format detection from content, and compressed inputs (.gz, .bz2, .zip)."""

from __future__ import annotations

import bz2
import gzip
import shutil
import zipfile

import numpy as np
import pytest

from nlptransfer import load_vectors
from nlptransfer.errors import VectorsFormatError
from nlptransfer.vectors.formats import detect_format, normalize_format
from tests.conftest import gensim_data


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("test_glove.txt", "glove"),
        ("lee_fasttext.vec", "word2vec-text"),
        ("euclidean_vectors.bin", "word2vec-bin"),
        ("lee_fasttext_new.bin", "fasttext-bin"),
    ],
)
def test_detects_from_content_not_extension(tmp_path, name, expected):
    misleading = tmp_path / "vectors.dat"  # the extension says nothing
    shutil.copy(gensim_data(name), misleading)
    assert detect_format(misleading) == expected


def test_detects_shared_ftz(shared_file):
    assert detect_format(shared_file("vectors/lid.176.ftz")) == "fasttext-bin"


def test_detects_gensim_pickle(tmp_path):
    kv = load_vectors(gensim_data("lee_fasttext.vec")).to_gensim()
    path = tmp_path / "model.kv"
    kv.save(str(path))
    assert detect_format(path) == "gensim"


def test_format_override_and_aliases(tmp_path):
    assert normalize_format("ftz") == "fasttext-bin"
    assert normalize_format("Word2Vec") == "word2vec-bin"
    with pytest.raises(ValueError, match="unknown vectors format 'pdf'"):
        normalize_format("pdf")
    # Forcing GloVe on a file with a header: "1762 10" reads as a 1-d row, then line 2 has 10.
    with pytest.raises(VectorsFormatError, match="line 2: expected 1 values"):
        load_vectors(gensim_data("lee_fasttext.vec"), format="glove")


@pytest.mark.parametrize("compress", ["gzip", "bz2"])
def test_compressed_binary_and_text(tmp_path, compress):
    opener = gzip.compress if compress == "gzip" else bz2.compress
    for name in ("euclidean_vectors.bin", "lee_fasttext.vec"):
        plain = load_vectors(gensim_data(name))
        packed = tmp_path / f"{name}.{compress}"
        packed.write_bytes(opener(gensim_data(name).read_bytes()))
        again = load_vectors(packed)
        assert again.words == plain.words
        np.testing.assert_array_equal(again.matrix, plain.matrix)


def test_zip_with_one_vectors_file_and_a_readme(tmp_path):
    archive = tmp_path / "glove.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(gensim_data("test_glove.txt"), "glove/test_glove.txt")
        z.writestr("glove/README.md", "about these vectors")
    loaded = load_vectors(archive)
    assert loaded.words == load_vectors(gensim_data("test_glove.txt")).words
    assert loaded.meta["source_name"] == "glove/test_glove.txt"


def test_zip_with_several_members_needs_a_choice(tmp_path):
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(gensim_data("test_glove.txt"), "a.txt")
        z.write(gensim_data("lee_fasttext.vec"), "b.vec")
    with pytest.raises(VectorsFormatError, match="choose one with member"):
        load_vectors(archive)
    assert len(load_vectors(archive, member="b.vec")) == 1762
    with pytest.raises(VectorsFormatError, match=r"member named 'c\.txt'"):
        load_vectors(archive, member="c.txt")
