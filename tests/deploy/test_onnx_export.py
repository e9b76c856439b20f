"""ONNX export: the exported graph gives PyTorch's probabilities, for every classifier and mode.

The export-friendly forms are proven equal to the modules they replace (Kim's CNN without
window_max, the embedding as fixed tables), then every classifier kind in every embedding mode
is exported and run by onnxruntime over SST-2's whole test set; trained models (one a kind, see
``sst2_models``) also keep their labels when quantized to int8.
"""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from tests.conftest import skip_unless_installed

skip_unless_installed("torch", "safetensors", "onnx", "onnxruntime")

import torch  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from nlptransfer import TextClassifierPipeline, Vocab, get_tokenizer, load_vectors  # noqa: E402
from nlptransfer.deploy.backends import load_classifier  # noqa: E402
from nlptransfer.deploy.onnx_export import (  # noqa: E402
    INT8_FILE,
    ONNX_FILE,
    TOLERANCE,
    _check_float_graph,
    export_onnx,
)
from nlptransfer.deploy.onnx_forms import (  # noqa: E402
    ConvKimCNN,
    StaticEmbedding,
    inference_module,
)
from nlptransfer.errors import NLPTransferError  # noqa: E402
from nlptransfer.nn import PretrainedEmbedding, build_classifier  # noqa: E402
from tests.deploy.sst2_models import KINDS, sst2_test, trained_folder  # noqa: E402

log = logging.getLogger(__name__)


# -- the export-friendly forms equal what they replace --------------------------------------


def _embedding(rows: int, dim: int, seed: int, **options) -> PretrainedEmbedding:
    rng = np.random.default_rng(seed)
    return PretrainedEmbedding(
        rng.normal(size=(rows, dim)).astype("f"), rng.random(rows) > 0.3, **options
    )


@st.composite
def padded_batches(draw, rows: int = 30):
    """Right-padded id batches: lengths from 0 (an empty text) to 12, ids never 0 inside."""
    lengths = draw(st.lists(st.integers(0, 12), min_size=1, max_size=5))
    width = max(max(lengths), 1)
    ids = np.zeros((len(lengths), width), dtype=np.int64)
    for i, n in enumerate(lengths):
        ids[i, :n] = draw(st.lists(st.integers(1, rows - 1), min_size=n, max_size=n))
    return torch.from_numpy(ids)


@settings(max_examples=60, deadline=None)
@given(
    ids=padded_batches(),
    windows=st.sampled_from([(3, 4, 5), (2,), (1, 3), (5, 2)]),
    padding=st.sampled_from(["wide", "valid"]),
    embedding=st.sampled_from(
        [{"mode": "finetune"}, {"mode": "multichannel"}, {"mode": "frozen", "projection": 4}]
    ),
)
def test_the_conv1d_cnn_equals_the_window_max_cnn(ids, windows, padding, embedding):
    emb = _embedding(30, 6, seed=len(windows), **embedding)
    cnn = build_classifier("cnn", emb, 3, windows=windows, filters=5, padding=padding).eval()
    with torch.no_grad():
        torch.nn.init.normal_(cnn.conv_bias)  # a zero bias would hide a bias added twice
        torch.testing.assert_close(ConvKimCNN(cnn)(ids), cnn(ids), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(
    "options",
    [
        {"mode": "finetune", "max_norm": 1.0},
        {"mode": "multichannel", "trainable_rows": "oov"},
        {"mode": "finetune", "projection": 3},
        {"mode": "random"},
    ],
)
def test_the_static_embedding_reads_what_the_layer_reads(options):
    emb = _embedding(20, 4, seed=1, **options)
    with torch.no_grad():
        emb.weight.add_(1.0)  # "training" moved the tuned rows away from the pretrained ones
        static = StaticEmbedding(emb)
        ids = torch.tensor([[1, 5, 19, 0], [7, 7, 2, 3]])
        torch.testing.assert_close(static(ids), emb(ids))
        if options.get("projection") is None:
            for mine, theirs in zip(
                static.forward_channels(ids), emb.forward_channels(ids), strict=True
            ):
                torch.testing.assert_close(mine, theirs)


def test_the_inference_module_leaves_the_model_as_it_was():
    emb = _embedding(20, 4, seed=2, mode="finetune", max_norm=0.5)
    model = build_classifier("cnn", emb, 2, filters=3)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    inference_module(model)
    assert model.training and isinstance(model.embedding, PretrainedEmbedding)
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key


# -- every classifier and mode, over SST-2's test set ------------------------------------------


@pytest.fixture(scope="module")
def sst2_texts():
    return sst2_test()[0]


@pytest.fixture(scope="module")
def glove_vocab(sst2_texts):
    vocab = Vocab.build(get_tokenizer("whitespace").tokenize_batch(sst2_texts))
    return load_vectors("glove-6b-50d"), vocab


CASES = [(kind, {"mode": mode}, {}) for kind in KINDS for mode in ("frozen", "finetune")]
CASES += [(kind, {"mode": mode}, {}) for kind in KINDS for mode in ("multichannel", "random")]
CASES += [
    ("cnn", {"mode": "finetune"}, {"padding": "valid", "windows": [2, 6]}),
    ("cnn", {"mode": "finetune", "projection": 16, "max_norm": 3.0}, {}),
    ("bilstm", {"mode": "multichannel", "trainable_rows": "oov"}, {"pooling": "mean"}),
    ("nbow", {"mode": "finetune", "max_norm": 2.0}, {"hidden": None}),
]


@pytest.mark.parametrize(
    ("kind", "embedding", "options"),
    CASES,
    ids=[f"{k}-{e['mode']}-{i}" for i, (k, e, _) in enumerate(CASES)],
)
def test_every_classifier_and_mode_exports_to_pytorchs_probabilities(
    kind, embedding, options, glove_vocab, sst2_texts, tmp_path
):
    vectors, vocab = glove_vocab
    layer = dict(embedding)
    mode = layer.pop("mode")
    emb = PretrainedEmbedding.from_vectors(
        None if mode == "random" else vectors, vocab, mode=mode, seed=0, **layer
    )
    small = {"cnn": {"filters": 16}, "bilstm": {"hidden": 16}, "nbow": {}}[kind]
    model = build_classifier(kind, emb, 3, **small, **options)
    head = model.mlp[-1] if kind == "nbow" else model.out
    with torch.no_grad():  # an untrained head gives ~1/3 everywhere: make the outputs differ
        head.weight.mul_(20)
    pipeline = TextClassifierPipeline(
        get_tokenizer("whitespace"), vocab, model.eval(), ["a", "b", "c"]
    )
    expected = pipeline.predict_proba(sst2_texts)
    folder = pipeline.save(tmp_path / "model")
    written = pipeline.export_onnx(folder)
    assert written == folder / ONNX_FILE
    found = load_classifier(folder, backend="onnx").predict_proba(sst2_texts)
    assert found.shape == expected.shape == (len(sst2_texts), 3)
    assert (expected.max(axis=1) - expected.min(axis=1)).mean() > 0.05  # not a uniform third
    np.testing.assert_allclose(found, expected, rtol=0, atol=TOLERANCE)


# -- trained models: float and int8 ------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_trained_model_keeps_its_predictions_in_onnx_and_int8(kind, tmp_path_factory):
    folder = trained_folder(kind, tmp_path_factory)
    texts, gold = sst2_test()
    torch_model = load_classifier(folder)
    expected = torch_model.predict_proba(texts)
    found = load_classifier(folder, backend="onnx").predict_proba(texts)
    quantized = load_classifier(folder, backend="onnx-int8").predict_proba(texts)
    np.testing.assert_allclose(found, expected, rtol=0, atol=TOLERANCE)
    agreement = float((quantized.argmax(1) == expected.argmax(1)).mean())
    accuracy = {
        name: float((probs.argmax(1) == np.array(gold)).mean())
        for name, probs in (("torch", expected), ("onnx", found), ("int8", quantized))
    }
    log.warning(
        "%s %s: int8 label agreement %.4f, accuracy %s", kind, KINDS[kind], agreement, accuracy
    )
    assert accuracy["torch"] > 0.65  # trained: well above chance
    assert agreement >= 0.995, (agreement, accuracy)
    trained = json.loads((folder / "metrics.json").read_text())["test"]["accuracy"]
    assert accuracy["onnx"] == pytest.approx(trained, abs=1e-9)
    assert (folder / INT8_FILE).stat().st_size < 0.4 * (folder / ONNX_FILE).stat().st_size


def test_the_model_card_says_how_the_files_were_made_and_how_to_use_them(tmp_path_factory):
    folder = trained_folder("nbow", tmp_path_factory)
    card = (folder / "README.md").read_text()
    assert card.count("## ONNX") == 1  # exported twice (float, int8): one section
    assert "`model.onnx` (float32" in card and "`model.int8.onnx` (int8" in card
    assert 'backend="onnx"' in card and "nlptransfer export" in card
    assert "# nbow text classifier" in card  # the card before it is kept


# -- refusals ---------------------------------------------------------------------------------


@pytest.fixture
def tiny_pipeline():
    vocab = Vocab.build([["good", "bad", "film"]])
    emb = _embedding(len(vocab), 4, seed=3, mode="finetune")
    model = build_classifier("nbow", emb, 2).eval()
    return TextClassifierPipeline(get_tokenizer("whitespace"), vocab, model, ["neg", "pos"])


def test_an_unknown_quantization_is_refused(tiny_pipeline, tmp_path):
    with pytest.raises(ValueError, match="quantize must be None or one of"):
        export_onnx(tiny_pipeline, tmp_path, quantize="int4")
    assert not list(tmp_path.iterdir())


def test_an_export_that_does_not_give_pytorchs_probabilities_is_refused(tiny_pipeline, tmp_path):
    path = export_onnx(tiny_pipeline, tmp_path / "x.onnx")
    assert path == tmp_path / "x.onnx" and not (tmp_path / "README.md").exists()
    other = inference_module(tiny_pipeline.model)
    with torch.no_grad():
        other.classifier.mlp[-1].bias[0] += 0.1  # another model than the graph's
    with pytest.raises(NLPTransferError, match="differ from PyTorch's by up to"):
        _check_float_graph(other, path, len(tiny_pipeline.vocab))
