"""A model folder's files must agree with each other, or loading it is refused (issue 23, item 10):
a shortened vocab.json used to load and predict with every token reading another token's row."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nlptransfer import TextClassifierPipeline, Vocab, get_tokenizer, load_classifier
from nlptransfer.errors import ModelFolderError, NLPTransferError, UnsafePatternError
from nlptransfer.nn import PretrainedEmbedding, build_classifier


@pytest.fixture
def folder(tmp_path):
    vocab = Vocab.build([["good", "bad", "film", "plot", "dull"]])
    rng = np.random.default_rng(0)
    embedding = PretrainedEmbedding(
        rng.normal(size=(len(vocab), 4)).astype("f"), np.ones(len(vocab), bool)
    )
    model = build_classifier("nbow", embedding, num_classes=2, hidden=None)
    pipeline = TextClassifierPipeline(get_tokenizer("whitespace"), vocab, model, ["neg", "pos"])
    return pipeline.save(tmp_path / "model")


def test_an_intact_folder_loads(folder):
    assert load_classifier(folder).label_names == ["neg", "pos"]


def test_a_shortened_vocabulary_is_refused(folder):
    path = folder / "vocab.json"
    data = json.loads(path.read_text())
    dropped = data["tokens"].pop()  # the last token: every other one keeps its id
    data["counts"].pop(dropped, None)
    path.write_text(json.dumps(data))
    with pytest.raises(
        NLPTransferError, match=r"vocab.json: expected 7 tokens, one per embedding row"
    ):
        load_classifier(folder)


def test_labels_that_do_not_match_the_outputs_are_refused(folder):
    path = folder / "config.json"
    config = json.loads(path.read_text())
    config["labels"] = ["neg", "neutral", "pos"]
    path.write_text(json.dumps(config))
    with pytest.raises(NLPTransferError, match="expected 2 label names, one per output"):
        load_classifier(folder)


def test_weights_of_another_shape_are_refused(folder):
    path = folder / "config.json"
    config = json.loads(path.read_text())
    config["embedding"]["dim"] = 8
    path.write_text(json.dumps(config))
    with pytest.raises(NLPTransferError, match=r"model.safetensors: expected the weights"):
        load_classifier(folder)


# --- malformed files: project errors naming the file (issue 23, item 7) --------------------------


def _edit_config(folder, change):
    path = folder / "config.json"
    config = json.loads(path.read_text())
    change(config)
    path.write_text(json.dumps(config))


@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        (
            "config.json",
            b'{"format": "nlptransfer-classifier",',
            "config.json, line 1: expected JSON",
        ),
        ("config.json", b"\xff\xfe{}", "config.json: expected UTF-8 JSON"),
        ("config.json", b"[1, 2]", "config.json: expected a JSON object"),
        ("vocab.json", b'{"tokens": ', "vocab.json, line 1: expected"),
        ("vocab.json", b'{"format": "nlptransfer-vocab"}', "vocab.json: expected 'tokens'"),
        ("model.safetensors", b"\x00" * 4, "model.safetensors: expected a safetensors file"),
        ("model.safetensors", b"\xff" * 64, "model.safetensors, byte offset 0: expected a safe"),
        ("model.safetensors", b'\x08\0\0\0\0\0\0\0{"a": 1}', "model.safetensors: expected a shape"),
    ],
)
def test_malformed_files_are_model_folder_errors_naming_them(folder, name, content, where):
    """Were raw JSONDecodeError, KeyError, SafetensorError."""
    (folder / name).write_bytes(content)
    with pytest.raises(ModelFolderError) as info:
        load_classifier(folder)
    assert where in str(info.value)


def test_truncated_weights_are_a_model_folder_error(folder):
    path = folder / "model.safetensors"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ModelFolderError, match=r"model\.safetensors"):
        load_classifier(folder)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.pop("embedding"), "expected a key 'embedding'"),
        (lambda c: c.pop("labels"), "expected a key 'labels'"),
        (lambda c: c["classifier"].pop("num_classes"), "classifier.num_classes to be int"),
        (lambda c: c["embedding"].update(rows="7"), "embedding.rows to be int"),
        (lambda c: c["embedding"].update(dim=0), "embedding.dim >= 1"),
        (lambda c: c.update(labels=[["neg"], "pos"]), "label #1 to be str"),
        (lambda c: c.update(tokenizer=None), "'tokenizer' to be an object"),
        (lambda c: c["classifier"].update(hidden=-5), "config.json"),
    ],
)
def test_config_keys_of_the_wrong_kind_are_refused_naming_the_file(folder, change, message):
    _edit_config(folder, change)
    with pytest.raises(ModelFolderError, match=r"config\.json") as info:
        load_classifier(folder)
    assert message in str(info.value)


def test_a_huge_declared_embedding_is_refused_before_it_is_allocated(folder):
    """rows x dim from config.json used to be allocated before the weights were compared."""
    _edit_config(folder, lambda c: c["embedding"].update(rows=10**7, dim=10**6))
    with pytest.raises(ModelFolderError, match="an embedding of 7 x 4"):
        load_classifier(folder)


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c["classifier"].update(hidden=2**40),  # a 4 x 2^40 hidden layer: 16 TiB
        lambda c: c["embedding"].update(projection=2**40),
    ],
    ids=["hidden", "projection"],
)
def test_huge_declared_layers_are_refused_before_they_are_allocated(folder, change):
    """The classifier's own layers were built from config.json before the weights were compared:
    torch failed to allocate them (or, at sizes it could, took the memory)."""
    _edit_config(folder, change)
    with pytest.raises(ModelFolderError, match=r"model\.safetensors: expected the tensors") as info:
        load_classifier(folder)
    assert "1099511627776" in str(info.value)
    assert "the folder's files do not belong together" in str(info.value)


# --- the vocabulary's order, the tokenizer's path and regex (issue 23, item 10) --------------------


def test_a_reordered_vocabulary_is_refused(folder):
    path = folder / "vocab.json"
    data = json.loads(path.read_text())
    tokens = data["tokens"]
    tokens[2], tokens[3] = tokens[3], tokens[2]  # same size: the row check cannot see it
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFolderError, match="other tokens or another order"):
        load_classifier(folder)


def test_a_folder_without_the_vocabulary_digest_loads_with_a_warning(folder, caplog):
    _edit_config(folder, lambda c: c.pop("vocab_sha256"))
    with caplog.at_level("WARNING"):
        assert load_classifier(folder).label_names == ["neg", "pos"]
    assert "vocab_sha256" in caplog.text


def test_saving_again_records_the_new_vocabulary(folder, tmp_path):
    again = load_classifier(folder)
    tokens = again.vocab.tokens
    again.vocab = Vocab([*tokens[:2], *reversed(tokens[2:])])
    load_classifier(again.save(tmp_path / "again"))  # not the stale digest from info


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.json", "sub/../../outside.json"])
def test_a_tokenizer_path_outside_the_folder_is_refused(folder, path):
    (folder.parent / "outside.json").write_text("{}")
    _edit_config(folder, lambda c: c.update(tokenizer={"name": "hf", "path": path}))
    with pytest.raises(ModelFolderError, match="inside the folder"):
        load_classifier(folder)


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(\w+\s?)*$", r"(?:x|y*)+z"])
def test_a_catastrophic_tokenizer_regex_is_refused_at_load(folder, pattern):
    _edit_config(folder, lambda c: c.update(tokenizer={"name": "regex", "pattern": pattern}))
    with pytest.raises(UnsafePatternError, match="nests another unbounded repeat"):
        load_classifier(folder)


def test_a_safe_tokenizer_regex_still_loads(folder):
    _edit_config(folder, lambda c: c.update(tokenizer={"name": "regex", "pattern": r"[a-z]+"}))
    assert load_classifier(folder).predict("good film")[0].label in ("neg", "pos")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 3e38])
def test_weights_that_would_predict_nan_are_refused(folder, value):
    """Found by the fuzz suite: a byte of model.safetensors changed made every prediction NaN."""
    from safetensors.torch import load_file, save_file

    path = folder / "model.safetensors"
    state = load_file(str(path))
    name = next(k for k in state if k.endswith(".weight") and not k.startswith("embedding"))
    state[name].view(-1)[0] = value
    save_file(state, str(path), metadata={"format": "nlptransfer-classifier"})
    with pytest.raises(ModelFolderError, match=r"model\.safetensors: expected (finite|plausible)"):
        load_classifier(folder)
