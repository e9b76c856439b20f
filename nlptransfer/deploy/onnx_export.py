"""Exporting a trained classifier to ONNX, float32 or dynamically quantized to int8.

The graph maps token ids ``ids`` ``[batch, time]`` (int64, right-padded with 0; both axes
dynamic) to class probabilities ``probabilities`` ``[batch, classes]`` (float32), as
:meth:`~nlptransfer.train.model_folder.TextClassifierPipeline.predict_proba` computes them; the
tokenizer and vocabulary stay in the model folder, where the ONNX predictor
(:mod:`nlptransfer.deploy.onnx_predictor`) reads them without PyTorch.

What is exported is each classifier in its inference form (:mod:`nlptransfer.deploy.onnx_forms`:
the embedding as fixed tables, Kim's CNN with ``conv1d`` in place of ``window_max``; the BiLSTM
and NBoW as they are), which the tests prove equal to it.

Every export is checked before it is written: onnxruntime runs the graph on a few batches of
random ids of several lengths and its probabilities must match PyTorch's within 1e-5, or
:class:`~nlptransfer.errors.NLPTransferError` is raised. ``quantize="int8"`` then passes the graph
through onnxruntime's dynamic quantization: 8-bit weights for the embedding lookups, the
convolutions and the LSTM (activations quantized on the fly); the dense layers at the top stay
float32.

Example:
    >>> import tempfile
    >>> import numpy as np
    >>> from nlptransfer import TextClassifierPipeline, Vocab, get_tokenizer
    >>> from nlptransfer.nn import PretrainedEmbedding, build_classifier
    >>> vocab = Vocab.build([["a", "good", "bad", "film"]])
    >>> emb = PretrainedEmbedding(np.random.rand(len(vocab), 8).astype("f"), np.ones(len(vocab), bool))
    >>> cnn = build_classifier("cnn", emb, num_classes=2, filters=4).eval()
    >>> pipeline = TextClassifierPipeline(get_tokenizer("whitespace"), vocab, cnn, ["neg", "pos"])
    >>> folder = pipeline.save(tempfile.mkdtemp() + "/model")
    >>> export_onnx(pipeline, folder).name
    'model.onnx'
    >>> "## ONNX" in (folder / "README.md").read_text()
    True
"""

from __future__ import annotations

import json
import logging
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from nlptransfer._util.errors import NLPTransferError
from nlptransfer._util.extras import require
from nlptransfer._util.files import atomic_output
from nlptransfer._util.version import __version__
from nlptransfer.deploy.onnx_card import is_model_folder, update_model_card
from nlptransfer.deploy.onnx_forms import StaticEmbedding, inference_module
from nlptransfer.deploy.onnx_predictor import (
    DEFAULT_OPSET,
    INPUT_NAME,
    INT8_FILE,
    ONNX_FILE,
    OUTPUT_NAME,
    vocab_digest,
)
from nlptransfer.nn.embedding import PretrainedEmbedding
from nlptransfer.train.folder_files import FOLDER_FORMAT

if TYPE_CHECKING:
    from nlptransfer.train.model_folder import TextClassifierPipeline

log = logging.getLogger(__name__)

#: The quantizations ``quantize=`` accepts.
QUANTIZATIONS = ("int8",)
#: The operators whose weights ``quantize="int8"`` quantizes (see :func:`_quantize_int8`).
INT8_OPERATORS = ("Gather", "Conv", "LSTM")
#: The largest difference from PyTorch's probabilities an exported float graph may show.
TOLERANCE = 1e-5


def export_onnx(
    pipeline: TextClassifierPipeline,
    path: str | Path,
    *,
    quantize: str | None = None,
    opset: int = DEFAULT_OPSET,
) -> Path:
    """Write ``pipeline``'s classifier as an ONNX graph; returns the file written.

    Args:
        pipeline: a trained (or loaded) :class:`~nlptransfer.train.model_folder.TextClassifierPipeline`.
        path: the ``.onnx`` file to write, or a folder (the model folder, usually) to write
            ``model.onnx`` (``model.int8.onnx`` when quantized) into. Written atomically.
        quantize: ``None`` for float32, or ``"int8"`` (dynamic quantization).
        opset: the ONNX opset.

    When the file lands in a model folder, the folder's model card (``README.md``) gets (or
    has replaced) a section saying how the file was made and how to use it.

    Raises:
        ValueError: an unknown ``quantize``.
        NLPTransferError: the classifier could not be exported, or the exported graph does not
            give PyTorch's probabilities.
        MissingExtraError: onnx or onnxruntime is not installed (the ``export`` extra).
    """
    if quantize is not None and quantize not in QUANTIZATIONS:
        raise ValueError(f"quantize must be None or one of {QUANTIZATIONS}, got {quantize!r}")
    onnx = require("onnx", extra="export", purpose="exporting to ONNX")
    path = Path(path)
    if path.is_dir():
        path = path / (INT8_FILE if quantize else ONNX_FILE)
    model = pipeline.model
    module = inference_module(model)
    with tempfile.TemporaryDirectory() as scratch:
        float_path = Path(scratch) / ONNX_FILE
        _trace(module, float_path, opset, name=str(model.config.get("name")))
        _check_float_graph(module, float_path, len(pipeline.vocab))
        written = float_path
        if quantize == "int8":
            written = Path(scratch) / INT8_FILE
            _quantize_int8(float_path, written)
        graph = onnx.load(str(written))
        _set_metadata(graph, pipeline, quantize=quantize, opset=opset)
        with atomic_output(path) as tmp:
            onnx.save(graph, str(tmp))
    log.info("wrote %s (%s)", path, quantize or "float32")
    if is_model_folder(path.parent):
        update_model_card(path.parent)
    return path


def _trace(module: nn.Module, path: Path, opset: int, *, name: str) -> None:
    """Export through torch.onnx's TorchScript exporter (``dynamo=False``).

    It is deprecated since torch 2.9 in favour of the ``torch.export`` one, but it writes these
    small graphs with dynamic batch and time axes as they are, and onnxruntime 1.17 runs them.
    """
    example = torch.tensor([[2, 3, 4, 0], [5, 6, 7, 8]], dtype=torch.int64)
    example = example.clamp(max=_rows(module) - 1)
    try:
        with torch.no_grad(), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            torch.onnx.export(
                module,
                (example,),
                str(path),
                dynamo=False,
                input_names=[INPUT_NAME],
                output_names=[OUTPUT_NAME],
                dynamic_axes={INPUT_NAME: {0: "batch", 1: "time"}, OUTPUT_NAME: {0: "batch"}},
                opset_version=opset,
                do_constant_folding=True,
            )
        for warning in caught:  # the exporter's notes (its deprecation, constant folding)
            log.debug("torch.onnx.export: %s", warning.message)
    except Exception as exc:  # the exporter's errors are of many kinds; say which model failed
        raise NLPTransferError(
            f"the {name!r} classifier could not be exported to ONNX: {type(exc).__name__}: "
            f"{' '.join(str(exc).split())[:500]}"
        ) from exc


def _rows(module: nn.Module) -> int:
    """The number of embedding rows (token ids the graph accepts)."""
    for sub in module.modules():
        if isinstance(sub, StaticEmbedding):
            return sub.rows
        if isinstance(sub, PretrainedEmbedding):
            return int(sub.weight.shape[0])
    raise NLPTransferError("the classifier has no embedding layer to export")


def check_batches(rows: int, *, seed: int = 0) -> list[np.ndarray]:
    """Right-padded id batches to compare an exported graph with PyTorch on: several batch
    sizes and lengths (one token, sentences shorter than the widest filter, long ones).

    Example:
        >>> [b.shape for b in check_batches(50)]
        [(1, 1), (3, 2), (4, 7), (2, 40)]
    """
    rng = np.random.default_rng(seed)
    batches = []
    for size, longest in ((1, 1), (3, 2), (4, 7), (2, 40)):
        lengths = rng.integers(1, longest + 1, size=size)
        lengths[0] = longest
        ids = np.zeros((size, longest), dtype=np.int64)
        for i, n in enumerate(lengths):
            ids[i, :n] = rng.integers(1, rows, size=n)  # every id a token (0 is padding)
        batches.append(ids)
    return batches


def _check_float_graph(module: nn.Module, path: Path, rows: int) -> None:
    """onnxruntime must give PyTorch's probabilities on :func:`check_batches`."""
    ort = require("onnxruntime", extra="onnx", purpose="checking an ONNX export")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for ids in check_batches(rows):
        with torch.no_grad():
            expected = module(torch.from_numpy(ids)).numpy()
        found = session.run([OUTPUT_NAME], {INPUT_NAME: ids})[0]
        worst = max(worst, float(np.abs(found - expected).max()))
    if worst > TOLERANCE:
        raise NLPTransferError(
            f"the ONNX graph's probabilities differ from PyTorch's by up to {worst:.2e} "
            f"(at most {TOLERANCE:.0e} expected): not written"
        )


def _quantize_int8(source: Path, target: Path) -> None:
    """onnxruntime's dynamic quantization of the weights that make a model big and slow.

    The embedding tables (``Gather``), Kim's convolutions (``Conv``) and the LSTM are
    quantized to 8 bits (activations on the fly); the small dense layers at the top, which
    decide between the classes, stay float32. Quantizing those too (onnxruntime's default)
    flipped 0.8% of the labels of an NBoW trained on SST-2, against 0.4% this way, for a file
    of the same size (``docs/deploy.md``).
    """
    require("onnxruntime", extra="onnx", purpose="quantizing an ONNX export")
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    prepared = target.with_name("prepared.onnx")
    quant_pre_process(str(source), str(prepared))  # shapes inferred: what quantization expects
    # Unsigned weights: onnxruntime's CPU ConvInteger (Kim's convolutions) takes uint8 only.
    quantize_dynamic(
        str(prepared),
        str(target),
        weight_type=QuantType.QUInt8,
        op_types_to_quantize=list(INT8_OPERATORS),
    )


def _set_metadata(
    graph: Any, pipeline: TextClassifierPipeline, *, quantize: str | None, opset: int
) -> None:
    """Record in the file what it is, so the predictor can check it belongs to its folder."""
    values = {
        "format": FOLDER_FORMAT,
        "nlptransfer_version": __version__,
        "torch_version": torch.__version__,
        "classifier": json.dumps(pipeline.model.config),
        "labels": json.dumps(pipeline.label_names),
        "vocab_rows": str(len(pipeline.vocab)),
        "vocab_sha256": vocab_digest(pipeline.vocab.tokens),
        "quantize": quantize or "none",
        "opset": str(opset),
    }
    del graph.metadata_props[:]
    for key, value in values.items():
        entry = graph.metadata_props.add()
        entry.key, entry.value = key, value
    graph.producer_name, graph.producer_version = "nlptransfer", __version__
