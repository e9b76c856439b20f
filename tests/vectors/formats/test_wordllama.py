"""WordLlama's 256d model: the file its wheel ships, read as token vectors with their tokenizer."""

from __future__ import annotations

import logging
import shutil
import struct

import numpy as np
import pytest

from nlptransfer import load_vectors, read_vectors
from nlptransfer.errors import VectorsFormatError
from nlptransfer.vectors.formats import detect_format
from nlptransfer.vectors.formats.wordllama import is_wordllama_file
from tests.conftest import skip_unless_installed
from tests.static_models import wordllama_files

skip_unless_installed("tokenizers", "safetensors")
WEIGHTS, LLAMA = wordllama_files()

from safetensors.numpy import load_file, save_file  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402


@pytest.fixture(scope="module")
def stored() -> np.ndarray:
    """The float16 matrix as safetensors itself reads it."""
    return load_file(str(WEIGHTS))["embedding.weight"]


@pytest.fixture(scope="module")
def wordllama():
    return load_vectors("wordllama-l2-256")


@pytest.fixture(scope="module")
def wordllama_inference():
    """WordLlama's own inference class, built from the same two files (its loader, which looks
    files up and may download, is never called). Importing ``wordllama`` configures the root
    logger (``logging.basicConfig``): undone, so the rest of the suite logs as before."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from wordllama.inference import WordLlamaInference
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return WordLlamaInference


def test_the_catalogue_name_works_offline(monkeypatch, stored):
    monkeypatch.setenv("NLPTRANSFER_OFFLINE", "1")
    v = load_vectors("wordllama-l2-256")
    assert (len(v), v.dim, v.format, v.source) == (32000, 256, "wordllama", "wordllama-l2-256")
    assert v.meta["package"] == "wordllama" and v.meta["license"] == "MIT"
    assert v.meta["embedding_dtype"] == "float16" and v.has_tokenizer
    np.testing.assert_array_equal(v.matrix, stored.astype(np.float32))
    assert v.words[:3] == ["<unk>", "<s>", "</s>"] and v.index("▁the") == 278


def test_texts_embed_as_wordllama_embeds_them(wordllama, wordllama_inference, stored):
    texts = ["a gorgeous, witty, seductive movie.", "Who wrote Hamlet?", "Unbelievably dull"]
    theirs = wordllama_inference(stored, Tokenizer.from_file(str(LLAMA))).embed(texts)
    tokenizer = wordllama.tokenizer()
    ours = np.stack([wordllama[tokens].mean(axis=0) for tokens in tokenizer.tokenize_batch(texts)])
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_coverage_is_complete_by_construction(wordllama, shared_file):
    """Every token the vectors' tokenizer makes is one of their rows: nothing is unknown, on
    SST-2's sentences and on raw IMDB reviews (markup, numbers, names and all)."""
    import gzip

    tokenizer = wordllama.tokenizer()
    sst2 = shared_file("kim2014/stsa.binary.dev").read_text(encoding="utf-8").splitlines()
    with gzip.open(shared_file("imdb/test.csv.gz"), "rt", encoding="utf-8") as stream:
        imdb = [stream.readline() for _ in range(300)]
    for texts in (sst2, imdb):
        report = wordllama.coverage(tokenizer.tokenize_batch(texts))
        assert report.tokens > 10_000
        assert (
            report.covered_tokens == report.tokens
            and report.rule_tokens.get("exact") == report.tokens
        )


def test_found_by_its_header_not_its_name(tmp_path, stored):
    odd = tmp_path / "vectors.txt"  # a safetensors file named like a text file
    shutil.copy(WEIGHTS, odd)
    shutil.copy(LLAMA, tmp_path / "tokenizer.json")
    assert detect_format(odd) == "wordllama"
    v = read_vectors(odd)
    assert v.format == "wordllama" and v.meta["tokenizer_source"] == str(
        tmp_path / "tokenizer.json"
    )
    np.testing.assert_array_equal(v.matrix, stored.astype(np.float32))


def test_the_package_layout_and_a_given_tokenizer(tmp_path):
    assert read_vectors(WEIGHTS).meta["tokenizer_source"] == str(LLAMA)  # ../tokenizers/
    alone = tmp_path / "l2_supercat_256.safetensors"
    shutil.copy(WEIGHTS, alone)
    with pytest.raises(
        VectorsFormatError, match=r"expected its tokenizer .* at .*tokenizer\.json or"
    ) as raised:
        read_vectors(alone)
    assert "l2_supercat_tokenizer_config.json" in str(raised.value)
    assert len(load_vectors(alone, tokenizer=LLAMA)) == 32000


def test_other_safetensors_files_are_not_wordllama(tmp_path):
    path = tmp_path / "other.safetensors"
    save_file({"weight": np.ones((3, 2), np.float32)}, str(path))
    head = path.read_bytes()
    assert not is_wordllama_file(head)
    save_file({"embedding.weight": np.ones(3, np.float32)}, str(path))  # 1-D
    assert not is_wordllama_file(path.read_bytes())
    with pytest.raises(VectorsFormatError, match="expected a known vectors format"):
        detect_format(path)
    truncated = struct.pack("<Q", 10_000) + b'{"embedding.weight": '
    assert not is_wordllama_file(truncated)


def test_rows_must_be_one_per_token(tmp_path, stored):
    path = tmp_path / "short.safetensors"
    save_file({"embedding.weight": stored[:100]}, str(path))
    with pytest.raises(VectorsFormatError, match=r"\(32,000 tokens\), found 100 rows"):
        read_vectors(path, tokenizer=LLAMA)
