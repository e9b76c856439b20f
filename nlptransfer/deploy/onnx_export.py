"""Exporting a trained classifier to ONNX, float32 or dynamically quantized to int8.

The graph maps token ids ``ids`` ``[batch, time]`` (int64, right-padded with 0; both axes
dynamic) to class probabilities ``probabilities`` ``[batch, classes]`` (float32), as
:meth:`~nlptransfer.train.model_folder.TextClassifierPipeline.predict_proba` computes them; the
tokenizer and vocabulary stay in the model folder, where the ONNX predictor
(:mod:`nlptransfer.deploy.onnx_predictor`) reads them without PyTorch.

What is exported is the classifier in inference form, proven equal to it by the tests:

- the embedding becomes its lookup tables as they are read at inference (one per channel; rows
  with a pretrained vector taken from the pretrained copy under ``trainable_rows="oov"``; rows
  renormalised to ``max_norm`` as ``nn.Embedding`` does on lookup);
- Kim's CNN runs its convolutions as ``conv1d`` over every position, windows that reach past a
  sentence masked out of the max (:class:`ConvKimCNN`): the training path,
  :func:`~nlptransfer.nn.window_max.window_max`, computes the same products once per distinct
  token through ``torch.unique`` and a custom autograd function, which ONNX has no operator for;
- the BiLSTM and NBoW are exported as they are (the padded BiLSTM of
  :mod:`nlptransfer.nn.lstm` is two one-directional ``LSTM`` operators and a per-sentence
  reversal by ``Gather``).

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

import copy
import json
import logging
import re
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nlptransfer._util.errors import NLPTransferError
from nlptransfer._util.extras import require
from nlptransfer._util.files import atomic_output
from nlptransfer._util.version import __version__
from nlptransfer.deploy.onnx_predictor import (
    INPUT_NAME,
    INT8_FILE,
    ONNX_FILE,
    OUTPUT_NAME,
    vocab_digest,
)
from nlptransfer.nn.classifiers import KimCNN, TextClassifier
from nlptransfer.nn.embedding import PretrainedEmbedding
from nlptransfer.train.folder_files import FOLDER_FORMAT

if TYPE_CHECKING:
    from nlptransfer.train.model_folder import TextClassifierPipeline

log = logging.getLogger(__name__)

#: The quantizations ``quantize=`` accepts.
QUANTIZATIONS = ("int8",)
#: The operators whose weights ``quantize="int8"`` quantizes (see :func:`_quantize_int8`).
INT8_OPERATORS = ("Gather", "Conv", "LSTM")
#: The ONNX opset written (onnxruntime 1.17, the ``onnx`` extra's oldest, runs up to 20).
DEFAULT_OPSET = 17
#: The largest difference from PyTorch's probabilities an exported float graph may show.
TOLERANCE = 1e-5

_SECTION_START = "<!-- nlptransfer:onnx -->"
_SECTION_END = "<!-- /nlptransfer:onnx -->"


class StaticEmbedding(nn.Module):
    """A :class:`PretrainedEmbedding` as it reads at inference: fixed tables, one per channel.

    Args:
        embedding: the trained layer; its current tables are copied (renormalised to its
            ``max_norm``, if any, as each looked-up row would be).
    """

    def __init__(self, embedding: PretrainedEmbedding) -> None:
        super().__init__()
        tables = []
        for weight in embedding.channels:
            table = weight.detach().clone()
            if embedding.max_norm is not None:  # what F.embedding(max_norm=...) does to a row
                rows = torch.arange(table.shape[0])
                torch.embedding_renorm_(table, rows, embedding.max_norm, 2.0)
            tables.append(table)
        for i, table in enumerate(tables):
            self.register_buffer(f"table{i}", table)
        self.channel_count = len(tables)
        self.rows = int(tables[0].shape[0])
        self.proj = copy.deepcopy(embedding.proj)
        self.padding_idx = embedding.padding_idx
        self.channel_dim = embedding.channel_dim
        self.output_dim = embedding.output_dim

    def forward_channels(self, ids: torch.Tensor) -> list[torch.Tensor]:
        """One ``[..., dim]`` tensor per channel, as :meth:`PretrainedEmbedding.forward_channels`."""
        return [F.embedding(ids, getattr(self, f"table{i}")) for i in range(self.channel_count)]

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        channels = self.forward_channels(ids)
        out = channels[0] if len(channels) == 1 else torch.cat(channels, dim=-1)
        return self.proj(out) if self.proj is not None else out


class ConvKimCNN(nn.Module):
    """Kim's CNN (:class:`~nlptransfer.nn.classifiers.KimCNN`) with ``conv1d`` in place of
    :func:`~nlptransfer.nn.window_max.window_max`: the same function of the ids, written with
    ONNX operators (inference only: dropout is left out).

    Example:
        >>> import numpy as np
        >>> from nlptransfer.nn import PretrainedEmbedding, build_classifier
        >>> emb = PretrainedEmbedding(np.random.rand(9, 6).astype("f"), np.ones(9, bool))
        >>> cnn = build_classifier("cnn", emb, num_classes=3, filters=5).eval()
        >>> ids = torch.tensor([[3, 4, 5, 6, 7, 8], [2, 8, 0, 0, 0, 0]])
        >>> torch.allclose(ConvKimCNN(cnn)(ids), cnn(ids), atol=1e-6)
        True
    """

    def __init__(self, cnn: KimCNN) -> None:
        super().__init__()
        self.cnn = cnn

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        cnn = self.cnn
        embedding = cast(Any, cnn.embedding)  # a PretrainedEmbedding or a StaticEmbedding
        widest = max(cnn.windows)
        pad = embedding.padding_idx
        lengths = (ids != pad).sum(dim=1)
        if cnn.padding == "wide":
            ids = F.pad(ids, (widest - 1, widest - 1), value=pad)
            lengths = lengths + 2 * (widest - 1)
        # Always `widest` more columns of padding: no test on the (dynamic) length, and the
        # windows they add reach past every sentence's length, so they never enter the max.
        ids = F.pad(ids, (0, widest), value=pad)
        lengths = torch.clamp(lengths, min=widest).unsqueeze(1)
        if embedding.proj is None:
            channels = embedding.forward_channels(ids)
            x = channels[0] if len(channels) == 1 else channels[0] + channels[1]
        else:
            x = embedding(ids)
        x = x.transpose(1, 2)  # [batch, features, time]
        pooled = []
        for conv, width in zip(cnn.convs, cnn.windows, strict=True):
            y = F.conv1d(x, cast(nn.Conv1d, conv).weight)  # [batch, filters, positions]
            starts = torch.arange(y.shape[2], device=ids.device).unsqueeze(0)
            inside = (starts + width <= lengths).unsqueeze(1)  # window within the sentence
            pooled.append(y.masked_fill(~inside, float("-inf")).amax(dim=2))
        features = F.relu(torch.cat(pooled, dim=1) + cnn.conv_bias.flatten())
        return cast(torch.Tensor, cnn.out(features))


class Probabilities(nn.Module):
    """``ids -> softmax(classifier(ids))``: the graph :func:`export_onnx` writes."""

    def __init__(self, classifier: nn.Module) -> None:
        super().__init__()
        self.classifier = classifier

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return F.softmax(self.classifier(ids), dim=-1)


def inference_module(model: TextClassifier) -> nn.Module:
    """The module :func:`export_onnx` traces: ``model`` with a :class:`StaticEmbedding`, Kim's
    CNN as :class:`ConvKimCNN`, softmax on top; in eval mode, the original left untouched."""
    copied = copy.deepcopy(model).eval()
    if isinstance(copied.embedding, PretrainedEmbedding):
        static = StaticEmbedding(copied.embedding)
        copied.embedding = cast(PretrainedEmbedding, static)  # duck-typed for the classifiers
    classifier: nn.Module = ConvKimCNN(copied) if isinstance(copied, KimCNN) else copied
    return Probabilities(classifier).eval()


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
    if _is_model_folder(path.parent):
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
        "vocab_sha256": vocab_digest(pipeline.vocab),
        "quantize": quantize or "none",
        "opset": str(opset),
    }
    del graph.metadata_props[:]
    for key, value in values.items():
        entry = graph.metadata_props.add()
        entry.key, entry.value = key, value
    graph.producer_name, graph.producer_version = "nlptransfer", __version__


def _is_model_folder(folder: Path) -> bool:
    config = folder / "config.json"
    if not config.is_file():
        return False
    try:
        return json.loads(config.read_text(encoding="utf-8")).get("format") == FOLDER_FORMAT
    except (ValueError, OSError):
        return False


def onnx_card_section(files: Sequence[Path]) -> str:
    """The model card's ONNX section: which files, how they were made, how to run them.

    Example:
        >>> print(onnx_card_section([Path("model.onnx")]).splitlines()[2])
        ## ONNX
    """
    lines = [_SECTION_START, "", "## ONNX", ""]
    for file in files:
        kind = "int8, dynamically quantized" if file.name == INT8_FILE else "float32"
        lines.append(
            f"- `{file.name}` ({kind}, {file.stat().st_size / 1e6:.1f} MB)"
            if file.exists()
            else f"- `{file.name}` ({kind})"
        )
    lines += [
        "",
        f"Exported with `nlptransfer export` (nlptransfer {__version__}, torch {torch.__version__}, "
        f"opset {DEFAULT_OPSET}): input `{INPUT_NAME}`, token ids `[batch, time]` (int64, "
        f"right-padded with 0); output `{OUTPUT_NAME}`, `[batch, classes]` (float32). The "
        "float32 file gives PyTorch's probabilities within 1e-5; the int8 one is smaller and "
        "faster, its labels almost always the same.",
        "",
        "Predict without PyTorch (`pip install 'nlptransfer[onnx]'`; the tokenizer, vocabulary "
        "and labels are read from this folder):",
        "",
        "```python",
        "import nlptransfer",
        "",
        'model = nlptransfer.load_classifier("path/to/this/folder", backend="onnx")',
        'model.predict(["some text"])  # or backend="onnx-int8" for model.int8.onnx',
        "```",
        "",
        _SECTION_END,
    ]
    return "\n".join(lines) + "\n"


def update_model_card(folder: str | Path) -> Path:
    """Write (or replace) the ONNX section of ``folder/README.md`` for the ONNX files there."""
    folder = Path(folder)
    card = folder / "README.md"
    text = card.read_text(encoding="utf-8") if card.is_file() else ""
    text = re.sub(
        re.escape(_SECTION_START) + r".*?" + re.escape(_SECTION_END) + r"\n?", "", text, flags=re.S
    )
    files = [folder / name for name in (ONNX_FILE, INT8_FILE) if (folder / name).is_file()]
    if files:
        text = text.rstrip("\n") + "\n\n" + onnx_card_section(files)
    with atomic_output(card) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return card
