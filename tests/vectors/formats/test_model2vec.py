"""model2vec folders, as model2vec's own ``StaticModel.save_pretrained`` writes them.

The model is made from real token vectors and the tokenizer they were made for (WordLlama's 256d
model and the Llama 2 tokenizer, shipped in the ``wordllama`` wheel), so every check is against
what model2vec itself writes, reads and encodes.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from nlptransfer import Vectors, load_vectors
from nlptransfer.errors import VectorsFormatError
from nlptransfer.vectors.convert import write_vectors
from nlptransfer.vectors.formats import detect_format
from tests.conftest import skip_unless_installed
from tests.static_models import wordllama_files

skip_unless_installed("tokenizers", "safetensors")
WEIGHTS, LLAMA = wordllama_files()
pytest.importorskip(
    "model2vec",
    reason="model2vec writes the folders these tests read (the dev extra has it): "
    "pip install model2vec",
)

from model2vec import StaticModel  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

TEXTS = ["a gorgeous, witty, seductive movie.", "Unbelievably dull.", "Who wrote Hamlet?"]


@pytest.fixture(scope="module")
def rows() -> np.ndarray:
    return load_file(str(WEIGHTS))["embedding.weight"].astype(np.float32)


@pytest.fixture(scope="module")
def weights() -> np.ndarray:
    return np.linspace(0.5, 1.5, 32000, dtype=np.float32)


@pytest.fixture(scope="module")
def weighted(tmp_path_factory, rows, weights) -> tuple[StaticModel, object]:
    """A model2vec model with per-token weights, saved by model2vec."""
    model = StaticModel(rows, Tokenizer.from_file(str(LLAMA)), weights=weights)
    folder = tmp_path_factory.mktemp("m2v") / "weighted"
    model.save_pretrained(folder)
    return model, folder


def encode_like_model2vec(vectors: Vectors, texts: list[str]) -> np.ndarray:
    """The mean of each text's token rows times their weights, split by the vectors' tokenizer."""
    tokenizer = vectors.tokenizer()
    weights = np.asarray(vectors.meta.get("token_weights") or np.ones(len(vectors)), np.float32)
    out = []
    for tokens in tokenizer.tokenize_batch(texts):
        ids = [vectors.index(t) for t in tokens if t != "<unk>"]  # model2vec drops unknowns
        out.append((vectors.matrix[ids] * weights[ids, None]).mean(axis=0))
    return np.stack(out)


def test_the_folder_model2vec_writes_reads_as_its_tokens(weighted, rows, weights):
    model, folder = weighted
    assert detect_format(folder) == "model2vec"
    v = load_vectors(folder)
    assert v.format == "model2vec" and v.has_tokenizer and len(v) == 32000 and v.dim == 256
    vocab = json.loads(LLAMA.read_text(encoding="utf-8"))["model"]["vocab"]
    assert all(vocab[word] == row for row, word in enumerate(v.words))
    np.testing.assert_array_equal(v.matrix, rows)
    np.testing.assert_array_equal(np.asarray(v.meta["token_weights"], np.float32), weights)
    assert v.meta["model2vec_config"]["embedding_dtype"] == "float32"
    # the tokenizer travels with the vectors: its tokens are model2vec's token ids
    ids = model.tokenize(TEXTS)
    assert [[v.words[i] for i in row] for row in ids] == v.tokenizer().tokenize_batch(TEXTS)
    np.testing.assert_allclose(encode_like_model2vec(v, TEXTS), model.encode(TEXTS), rtol=1e-5)


def test_written_back_model2vec_loads_it_and_encodes_the_same(tmp_path, weighted):
    model, folder = weighted
    out = write_vectors(load_vectors(folder), tmp_path / "again", "m2v")
    assert sorted(p.name for p in out.iterdir()) == [
        "config.json",
        "model.safetensors",
        "tokenizer.json",
    ]
    with safe_open(str(out / "model.safetensors"), framework="numpy") as written:
        assert sorted(written.keys()) == ["embeddings", "weights"]
        np.testing.assert_array_equal(written.get_tensor("weights"), model.weights)
    assert (out / "tokenizer.json").read_text() == (folder / "tokenizer.json").read_text()
    again = StaticModel.from_pretrained(out)  # a local folder: model2vec downloads nothing
    np.testing.assert_array_equal(again.encode(TEXTS), model.encode(TEXTS))
    assert detect_format(out) == "model2vec"


def test_a_quantized_vocabulary_is_expanded_to_a_row_per_token(tmp_path, rows, weights):
    centroids = rows[:1000]
    mapping = (np.arange(32000) * 7919 % 1000).astype(np.int64)
    model = StaticModel(
        centroids, Tokenizer.from_file(str(LLAMA)), weights=weights, token_mapping=mapping
    )
    model.save_pretrained(tmp_path / "quantized")
    v = load_vectors(tmp_path / "quantized")
    np.testing.assert_array_equal(v.matrix, centroids[mapping])
    assert v.meta["embedding_dtype"] == "float32"
    np.testing.assert_allclose(encode_like_model2vec(v, TEXTS), model.encode(TEXTS), rtol=1e-5)
    out = write_vectors(v, tmp_path / "expanded", "model2vec")
    assert "vocabulary_quantization" not in json.loads((out / "config.json").read_text())
    np.testing.assert_allclose(
        StaticModel.from_pretrained(out).encode(TEXTS), model.encode(TEXTS), rtol=1e-6
    )


def test_the_native_store_keeps_the_tokenizer_and_the_weights(tmp_path, weighted):
    model, folder = weighted
    v = load_vectors(folder)
    store = load_vectors(v.save(tmp_path / "m2v"))
    assert store.format == "native" and store.meta["source_format"] == "model2vec"
    assert store.tokenizer()("a witty film") == v.tokenizer()("a witty film")
    assert store.meta["token_weights"] == v.meta["token_weights"]
    out = write_vectors(store, tmp_path / "from-store", "model2vec")
    np.testing.assert_array_equal(
        StaticModel.from_pretrained(out).encode(TEXTS), model.encode(TEXTS)
    )


def test_only_whole_token_vectors_are_written(tmp_path, weighted):
    v = load_vectors(weighted[1])
    with pytest.raises(ValueError, match=r"one row per token of its tokenizer \(32,000\)"):
        write_vectors(v.subset(v.words[:10]), tmp_path / "subset", "model2vec")
    plain = Vectors(["cat", "dog"], np.eye(2, dtype=np.float32))
    with pytest.raises(ValueError, match="these vectors carry no tokenizer"):
        write_vectors(plain, tmp_path / "plain", "model2vec")
    assert not (tmp_path / "subset").exists() and not (tmp_path / "plain").exists()


def test_found_by_its_content_not_its_name(tmp_path, weighted):
    odd = tmp_path / "vectors.txt"  # a folder named like a text file
    shutil.copytree(weighted[1], odd)
    assert detect_format(odd) == "model2vec"
    (odd / "tokenizer.json").unlink()
    with pytest.raises(VectorsFormatError, match="found a folder that is not one"):
        detect_format(odd)


def test_rows_that_do_not_match_the_tokenizer_are_refused(tmp_path, weighted):
    folder = tmp_path / "mismatched"
    shutil.copytree(weighted[1], folder)
    small = {
        "version": "1.0",
        "model": {"type": "WordLevel", "unk_token": "u", "vocab": {"u": 0, "a": 1}},
    }
    (folder / "tokenizer.json").write_text(json.dumps(small))
    with pytest.raises(VectorsFormatError, match=r"\(2 tokens\), found 32,000 rows") as raised:
        load_vectors(folder)
    assert "model.safetensors" in str(raised.value)
