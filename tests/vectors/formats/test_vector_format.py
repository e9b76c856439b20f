"""Vector formats are registered objects: the built-in ones, a third-party one added through the
registry, and one installed as a plugin through the ``nlptransfer.formats`` entry point."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from nlptransfer import load_vectors, read_vectors
from nlptransfer.errors import NLPTransferError, UnknownNameError, VectorsFormatError
from nlptransfer.vectors.convert import writable_formats, write_vectors
from nlptransfer.vectors.formats import (
    VECTOR_FORMATS,
    VectorFormat,
    detect_format,
    normalize_format,
    register_format,
    vector_format,
)
from tests.conftest import REPO, gensim_data
from tests.vectors.formats import tiny_format
from tests.vectors.formats.tiny_format import MAGIC, TINY

BUILTIN = (
    "word2vec-bin",
    "word2vec-text",
    "glove",
    "fasttext-bin",
    "gensim",
    "native",
    "spacy",
    "model2vec",
    "wordllama",
)


@pytest.fixture
def tiny(monkeypatch):
    """The tiny format registered for one test, and unregistered after it."""
    VECTOR_FORMATS.names()  # load any installed plugins before the registry is copied
    monkeypatch.setattr(VECTOR_FORMATS, "_entries", dict(VECTOR_FORMATS._entries))
    monkeypatch.setattr(VECTOR_FORMATS, "_aliases", dict(VECTOR_FORMATS._aliases))
    return register_format(TINY)


@pytest.fixture
def tiny_file(tmp_path):
    path = tmp_path / "animals.dat"
    path.write_bytes(MAGIC + b"cat 1 2\ndog 3 4\nemu 5 6\n")
    return path


def test_every_builtin_format_is_one_registered_object():
    for name in BUILTIN:
        fmt = vector_format(name)
        assert isinstance(fmt, VectorFormat) and fmt.name == name
        assert VECTOR_FORMATS.source(name) == "nlptransfer"
        for alias in fmt.aliases:
            assert normalize_format(alias.upper()) == name
    suffixes = [vector_format(name).suffix for name in BUILTIN]
    assert len(set(suffixes)) == len(suffixes) and all(suffixes)
    assert set(writable_formats()) == {
        "native",
        "word2vec-bin",
        "word2vec-text",
        "glove",
        "spacy",
        "model2vec",
    }
    token = {name for name in BUILTIN if vector_format(name).token_vectors}
    assert token == {"model2vec", "wordllama"}  # they carry a tokenizer


def test_a_format_that_claims_less_is_asked_later():
    order = {name: vector_format(name).sniff_order for name in BUILTIN}
    # word2vec binary claims any 'count dim' header; word2vec text claims those with text rows.
    assert order["word2vec-text"] < order["word2vec-bin"] < order["glove"]


def test_an_unknown_format_suggests_the_close_one(tmp_path):
    path = tmp_path / "v.txt"
    shutil.copy(gensim_data("test_glove.txt"), path)
    with pytest.raises(
        UnknownNameError, match=r"unknown vectors format 'glvoe'; did you mean 'glove'"
    ):
        load_vectors(path, format="glvoe")
    with pytest.raises(ValueError, match="unknown vectors format 'pdf'"):
        write_vectors(load_vectors(path), tmp_path / "out", "pdf")


def test_a_registered_format_is_read_detected_and_written(tiny, tiny_file, tmp_path):
    v = load_vectors(tiny_file, format="tiny")
    assert v.words == ["cat", "dog", "emu"] and v.format == "tiny"
    np.testing.assert_array_equal(v["dog"], np.array([3, 4], np.float32))
    assert v.meta["tiny_rows"] == 3 and v.meta["source_name"] == "animals.dat"
    assert detect_format(tiny_file) == "tiny" and read_vectors(tiny_file).words == v.words
    assert load_vectors(tiny_file, format="TNY").words == v.words  # an alias, any case

    assert "tiny" in writable_formats()
    glove = load_vectors(gensim_data("test_glove.txt"), limit=5)
    out = write_vectors(glove, tmp_path / "glove.tiny", "tiny")
    assert out.read_bytes().startswith(MAGIC)
    again = load_vectors(out)
    assert again.words == glove.words and again.format == "tiny"
    np.testing.assert_array_equal(again.matrix, glove.matrix)


def test_vocab_and_limit_apply_to_a_reader_that_ignores_them(tiny, tiny_file):
    assert read_vectors(tiny_file, limit=2).words == ["cat", "dog"]
    assert read_vectors(tiny_file, vocab=["emu", "cat", "yak"]).words == ["cat", "emu"]
    assert read_vectors(tiny_file, limit=2, vocab={"emu", "cat"}).words == ["cat"]


def test_without_the_format_its_files_are_not_vectors(tiny_file):
    assert "tiny" not in VECTOR_FORMATS
    with pytest.raises(VectorsFormatError, match="expected a known vectors format"):
        load_vectors(tiny_file)


def test_running_a_format_module_again_keeps_its_format():
    """importlib.reload, IPython's autoreload and pytest's importlib mode run a module again."""
    from nlptransfer.vectors.formats import gensim_kv

    before = vector_format("gensim")
    importlib.reload(gensim_kv)
    assert vector_format("kv") is before  # the first definition stays registered


def test_a_name_cannot_be_registered_twice(tiny):
    clash = VectorFormat("glove", "another GloVe", read=TINY.read)
    with pytest.raises(NLPTransferError, match="registered twice"):
        register_format(clash)


def test_a_format_installed_as_a_plugin_through_an_entry_point(tmp_path):
    """A package that declares ``[project.entry-points."nlptransfer.formats"]`` is enough: no
    edit of nlptransfer. The package is laid out as pip installs it (a module and its
    ``.dist-info``), in a fresh interpreter so that the registry looks its plugins up. A second,
    broken plugin is left out of detection and writing, with a warning."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(tiny_format.__file__, site / "tiny_vectors_plugin.py")
    info = site / "tiny_vectors_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: tiny-vectors-plugin\nVersion: 0.1\n"
    )
    (info / "entry_points.txt").write_text(
        "[nlptransfer.formats]\ntiny = tiny_vectors_plugin:TINY\nbroken = no_such_module:FORMAT\n"
    )
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        import numpy as np
        from nlptransfer import Vectors, load_vectors
        from nlptransfer.vectors.convert import writable_formats, write_vectors
        from nlptransfer.vectors.formats import VECTOR_FORMATS

        v = Vectors(["cat", "dog"], np.array([[1, 2], [3, 4]], np.float32))
        out = write_vectors(v, Path(sys.argv[1]) / "v.dat", "tiny")
        named, detected = load_vectors(out, format="tiny"), load_vectors(out)
        assert np.array_equal(named.matrix, v.matrix)
        print(VECTOR_FORMATS.source("tiny"), named.words, detected.format, "tiny" in writable_formats())
        try:  # a plugin that does not import fails when asked for, and only then
            load_vectors(out, format="broken")
        except ModuleNotFoundError as exc:
            print(exc)
        """
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(REPO)]))
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines == [
        "tiny-vectors-plugin ['cat', 'dog'] tiny True",
        "No module named 'no_such_module'",
    ]
    assert "leaving out the vectors format 'broken'" in done.stderr
