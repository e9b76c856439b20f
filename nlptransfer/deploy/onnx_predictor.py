"""Predicting with a model folder's ONNX file: onnxruntime and numpy, never PyTorch.

``nlptransfer.load_classifier(folder, backend="onnx")`` returns an :class:`OnnxClassifier`: the
folder's tokenizer, vocabulary and label names (read by
:func:`~nlptransfer.train.folder_files.read_folder_files`, as the PyTorch pipeline reads them)
around an onnxruntime session of ``model.onnx`` (``backend="onnx-int8"``: ``model.int8.onnx``).
It answers ``predict``, ``predict_proba``, ``evaluate`` and ``label_names`` as
:class:`~nlptransfer.train.model_folder.TextClassifierPipeline` does (both are
:class:`~nlptransfer.train.prediction.TextPredictor`). Only the ``onnx`` extra is needed
(``pip install 'nlptransfer[onnx]'``); write the file with ``nlptransfer export``.

Example:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> load_onnx_classifier(folder)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nlptransfer._util.errors.NLPTransferError: ...: expected a model folder with config.json, found none
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlptransfer._util.errors import NLPTransferError
from nlptransfer._util.extras import require
from nlptransfer.text.tokenize import Tokenizer
from nlptransfer.text.vocab import Vocab
from nlptransfer.train.folder_files import FOLDER_FORMAT, FolderFiles, read_folder_files
from nlptransfer.train.folder_trust import refuses_malformed_folders, vocab_digest
from nlptransfer.train.prediction import TextPredictor

ort = require("onnxruntime", extra="onnx", purpose="predictions with an ONNX model")

#: The ONNX files in a model folder: float32, and dynamically quantized int8.
ONNX_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
#: The graph's input (token ids ``[batch, time]``, int64) and output (``[batch, classes]``).
INPUT_NAME = "ids"
OUTPUT_NAME = "probabilities"
#: The ONNX opset ``nlptransfer export`` writes (onnxruntime runs it from 1.17, the ``onnx``
#: extra's oldest).
DEFAULT_OPSET = 17
#: onnxruntime's execution provider for each ``device``.
PROVIDERS = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider"}


class OnnxClassifier(TextPredictor):
    """Tokenizer + vocabulary + an onnxruntime session + label names: text in, labels out.

    Args:
        tokenizer: splits texts into tokens.
        vocab: maps tokens to the ids the graph takes.
        label_names: the name of each output column.
        session: an ``onnxruntime.InferenceSession`` of a graph written by
            :func:`~nlptransfer.deploy.onnx_export.export_onnx`.
        path: the ONNX file (for messages and ``repr``).
    """

    def __init__(
        self,
        tokenizer: Tokenizer,
        vocab: Vocab,
        label_names: Sequence[str],
        session: Any,
        *,
        path: Path | None = None,
        info: dict[str, Any] | None = None,
        metrics: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(tokenizer, vocab, label_names, info=info, metrics=metrics)
        self.session = session
        self.path = path

    def predict_batch(self, ids: np.ndarray) -> np.ndarray:
        """Class probabilities ``[batch, classes]`` of right-padded ids ``[batch, time]``."""
        probs = self.session.run([OUTPUT_NAME], {INPUT_NAME: np.ascontiguousarray(ids, np.int64)})
        return np.asarray(probs[0], dtype=np.float32)

    def __repr__(self) -> str:
        return f"OnnxClassifier({self.path}, labels={self.label_names})"


@refuses_malformed_folders
def load_onnx_classifier(
    folder: str | Path,
    *,
    device: str = "cpu",
    file: str = ONNX_FILE,
    threads: int | None = None,
) -> OnnxClassifier:
    """Open a model folder's ONNX file as an :class:`OnnxClassifier` (no PyTorch import).

    Args:
        folder: a model folder into which ``nlptransfer export`` wrote the ONNX file.
        device: ``"cpu"``, or ``"cuda"`` where onnxruntime has its CUDA provider.
        file: the ONNX file's name in the folder (``model.onnx``; ``model.int8.onnx``).
        threads: onnxruntime's intra-op threads (``None``: its default, every core).

    Raises:
        NLPTransferError: the folder is not a classifier folder, it has no such ONNX file (the
            message says how to write it), or the file was not exported from this folder's
            model (other labels, another vocabulary size).
        ValueError: an unknown device, or one onnxruntime cannot use here.
    """
    files = read_folder_files(folder)
    path = files.folder / file
    if not path.is_file():
        flag = " --quantize int8" if file == INT8_FILE else ""
        raise NLPTransferError(
            f"{path}: expected an ONNX file, found none; write it with "
            f"`nlptransfer export {files.folder} --to onnx{flag}`"
        )
    if device not in PROVIDERS:
        raise ValueError(f"device must be one of {', '.join(PROVIDERS)}, got {device!r}")
    provider = PROVIDERS[device]
    if provider not in ort.get_available_providers():
        raise ValueError(
            f"device {device!r} needs onnxruntime's {provider}, which this onnxruntime lacks "
            f"(it has {', '.join(ort.get_available_providers())})"
        )
    options = ort.SessionOptions()
    if threads is not None:
        options.intra_op_num_threads = threads
    session = ort.InferenceSession(str(path), options, providers=[provider])
    _check_belongs(session, path, files)
    return OnnxClassifier(
        files.tokenizer,
        files.vocab,
        files.label_names,
        session,
        path=path,
        info=files.info,
        metrics=files.metrics,
    )


@refuses_malformed_folders
def load_onnx_int8_classifier(folder: str | Path, *, device: str = "cpu") -> OnnxClassifier:
    """:func:`load_onnx_classifier` of the folder's int8 file (``backend="onnx-int8"``)."""
    return load_onnx_classifier(folder, device=device, file=INT8_FILE)


def _check_belongs(session: Any, path: Path, files: FolderFiles) -> None:
    """The file must be an nlptransfer export of this folder's model: its classifier, labels
    and vocabulary, as the export recorded them in the file's metadata."""
    meta = session.get_modelmeta().custom_metadata_map
    if meta.get("format") != FOLDER_FORMAT:
        raise NLPTransferError(
            f"{path}: expected an ONNX file written by `nlptransfer export` (metadata format "
            f"{FOLDER_FORMAT!r}), found format {meta.get('format')!r}"
        )
    recorded = {
        "labels": json.loads(meta.get("labels", "null")),
        "classifier": json.loads(meta.get("classifier", "null")),
        "vocabulary": meta.get("vocab_sha256"),
    }
    expected = {
        "labels": files.label_names,
        "classifier": files.config["classifier"],
        "vocabulary": vocab_digest(files.vocab.tokens),
    }
    for what, value in expected.items():
        if recorded[what] != value:
            shown = "vocab.json" if what == "vocabulary" else f"{value}"
            found = "another" if what == "vocabulary" else f"{recorded[what]}"
            raise NLPTransferError(
                f"{path}: expected the {what} of this folder ({shown}), found {found}: "
                "the file was exported from another model; export it again"
            )
    inputs = [i.name for i in session.get_inputs()]
    outputs = [o.name for o in session.get_outputs()]
    if inputs != [INPUT_NAME] or OUTPUT_NAME not in outputs:
        raise NLPTransferError(
            f"{path}: expected input {INPUT_NAME!r} and output {OUTPUT_NAME!r}, found inputs "
            f"{inputs} and outputs {outputs}"
        )
