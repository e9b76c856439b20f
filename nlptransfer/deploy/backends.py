"""``load_classifier(folder, backend=...)``: open a model folder with PyTorch or with onnxruntime.

The backends are named in :data:`PREDICTOR_BACKENDS` and imported only when asked for, so this
module imports neither torch nor onnxruntime: ``backend="onnx"`` predicts in a process that never
imports PyTorch (an install with the ``onnx`` extra alone). It is the ``load_classifier`` that
``nlptransfer`` exports.

Example:
    >>> PREDICTOR_BACKENDS.names()
    ('torch', 'onnx', 'onnx-int8')
    >>> load_classifier("runs/model", backend="onxx")
    Traceback (most recent call last):
    ...
    nlptransfer._util.errors.UnknownNameError: unknown predictor backend 'onxx'; did you mean 'onnx'? (known: torch, onnx, onnx-int8)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from nlptransfer._util.registry import Registry

if TYPE_CHECKING:
    from nlptransfer.train.model_folder import TextClassifierPipeline
    from nlptransfer.train.prediction import TextPredictor

#: How a folder's model runs: each entry is called as ``loader(folder, device=...)``.
PREDICTOR_BACKENDS: Registry[Callable[..., Any]] = Registry("predictor backend")
PREDICTOR_BACKENDS.register("torch", "nlptransfer.train.model_folder:load_classifier")
PREDICTOR_BACKENDS.register("onnx", "nlptransfer.deploy.onnx_predictor:load_onnx_classifier")
PREDICTOR_BACKENDS.register(
    "onnx-int8", "nlptransfer.deploy.onnx_predictor:load_onnx_int8_classifier"
)


@overload
def load_classifier(
    folder: str | Path, *, device: str = "cpu", backend: Literal["torch"] = "torch"
) -> TextClassifierPipeline: ...


@overload
def load_classifier(folder: str | Path, *, device: str = "cpu", backend: str) -> TextPredictor: ...


def load_classifier(
    folder: str | Path, *, device: str = "cpu", backend: str = "torch"
) -> TextPredictor:
    """Open a model folder written by ``nlptransfer train`` (or ``TextClassifierPipeline.save``).

    Args:
        folder: the model folder.
        device: where the model runs (``"cpu"``, ``"cuda"``).
        backend: ``"torch"`` (the default): a
            :class:`~nlptransfer.train.model_folder.TextClassifierPipeline` rebuilt from
            ``model.safetensors`` (the ``torch`` extra); ``"onnx"``: an
            :class:`~nlptransfer.deploy.onnx_predictor.OnnxClassifier` running the folder's
            ``model.onnx`` with onnxruntime and numpy, PyTorch never imported (the ``onnx``
            extra; write the file with ``nlptransfer export``); ``"onnx-int8"``: the same with
            ``model.int8.onnx`` (``nlptransfer export --quantize int8``).

    Both answer ``predict(texts)``, ``predict_proba(texts)``, ``evaluate(texts, labels)`` and
    ``label_names`` the same way.

    Raises:
        MissingExtraError: the backend's extra is not installed.
        UnknownNameError: no backend has that name.
        NLPTransferError: the folder is not a classifier folder, its files do not agree, or
            (onnx) it holds no ONNX file.
    """
    loader = PREDICTOR_BACKENDS.get(backend)
    predictor: TextPredictor = loader(folder, device=device)
    return predictor
