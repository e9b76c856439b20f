"""A trained classifier behind HTTP: the FastAPI application ``nlptransfer serve`` runs.

Routes:

- ``POST /predict`` with ``{"texts": ["...", ...]}`` answers
  ``{"predictions": [{"label": ..., "probability": ..., "probabilities": {...}}, ...]}``, one
  prediction per text, in order;
- ``GET /health`` answers ``{"status": "ok", "backend": ..., "labels": [...]}``;
- ``GET /`` is the model folder's card (its ``README.md``, Markdown);
- ``GET /docs`` and ``GET /openapi.json`` describe the API.

A bad request gets a 4xx answer with ``{"detail": "what was wrong"}`` and changes nothing: a body
that is not UTF-8 or not JSON (400), a body, batch or text over its limit (413, see
:class:`ServeLimits`), missing, empty or non-string texts, or other fields (422). Predictions run
in a worker thread, never on the event loop, so ``/health`` answers while a batch is predicted;
at most ``concurrency`` batches are predicted at once (the others wait their turn).

The classifier is anything with ``label_names`` and ``predict(texts)`` returning objects with
``label``, ``probability`` and ``probabilities`` (:class:`~nlptransfer.TextClassifierPipeline`,
or the ONNX predictor ``load_classifier(folder, backend="onnx")`` returns).

Example:
    >>> from dataclasses import dataclass
    >>> from fastapi.testclient import TestClient
    >>> @dataclass
    ... class Guess:
    ...     label: str
    ...     probability: float
    ...     probabilities: dict
    >>> class Constant:
    ...     label_names = ["neg", "pos"]
    ...     def predict(self, texts):
    ...         return [Guess("pos", 0.75, {"neg": 0.25, "pos": 0.75}) for _ in texts]
    >>> client = TestClient(create_app(Constant(), model_card="# A constant"))
    >>> client.post("/predict", json={"texts": ["good", "fine"]}).json()["predictions"][1]["label"]
    'pos'
    >>> answer = client.post("/predict", json={"texts": [""]})
    >>> answer.status_code, answer.json()["detail"]
    (422, 'texts[0] is empty: expected a text to classify')
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from nlptransfer.deploy.limits import ServeLimits

#: Environment variable through which ``nlptransfer serve --workers N`` hands each worker
#: process its settings (JSON: folder, backend, limits, concurrency), read by
#: :func:`app_from_environment`.
SETTINGS_VARIABLE = "NLPTRANSFER_SERVE_SETTINGS"


class PredictedText(Protocol):
    """What a classifier's ``predict`` returns for each text."""

    label: str
    probability: float
    probabilities: dict[str, float]


class Classifier(Protocol):
    """What the server needs of a classifier: its labels, and texts in, predictions out."""

    @property
    def label_names(self) -> list[str]: ...

    def predict(self, texts: Sequence[str]) -> Sequence[PredictedText]: ...


class PredictRequest(BaseModel):
    """The body of ``POST /predict``."""

    texts: list[str] = Field(
        min_length=1,
        description="The texts to classify: non-empty strings, at most the server's batch and "
        "length limits (413 over them).",
        examples=[["a gorgeous, witty, seductive movie", "the plot is paper-thin"]],
    )


class LabelPrediction(BaseModel):
    """One text's prediction."""

    label: str = Field(description="The most probable label.")
    probability: float = Field(description="Its probability.")
    probabilities: dict[str, float] = Field(description="Every label's probability.")


class PredictResponse(BaseModel):
    """The answer of ``POST /predict``: one prediction per text, in the order of the texts."""

    predictions: list[LabelPrediction]


class Health(BaseModel):
    """The answer of ``GET /health``."""

    status: str
    backend: str
    labels: list[str]


class ErrorDetail(BaseModel):
    """The answer to a bad request."""

    detail: str


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorDetail, "description": "The body is not UTF-8 JSON."},
    413: {"model": ErrorDetail, "description": "A body, batch or text over the server's limit."},
    422: {"model": ErrorDetail, "description": "Missing, empty or non-string texts."},
}


def create_app(
    classifier: Classifier,
    *,
    model_card: str = "",
    limits: ServeLimits | None = None,
    backend: str = "torch",
    concurrency: int = 1,
) -> FastAPI:
    """The application serving ``classifier``; see the module's description for its routes.

    Args:
        classifier: what predicts (see :class:`Classifier`).
        model_card: Markdown answered at ``GET /``.
        limits: the largest request accepted (default :class:`ServeLimits`'s).
        backend: the name ``/health`` reports (``torch`` or ``onnx``).
        concurrency: batches predicted at once, each in its own worker thread.
    """
    limits = limits or ServeLimits()
    if concurrency < 1:
        raise ValueError(f"concurrency: expected a positive integer, found {concurrency}")
    labels = list(classifier.label_names)
    app = FastAPI(
        title="nlptransfer classifier",
        summary=f"A text classifier ({backend}) with labels: {', '.join(labels)}.",
        description="`POST /predict` classifies texts; `GET /` is the model card.",
    )
    turns: asyncio.Semaphore | None = None  # made in the server's event loop, on first use

    @app.get("/", response_class=PlainTextResponse, summary="The model card (Markdown)")
    async def card() -> PlainTextResponse:
        return PlainTextResponse(model_card, media_type="text/markdown; charset=utf-8")

    @app.get("/health", summary="Whether the server is up, and what it serves")
    async def health() -> Health:
        return Health(status="ok", backend=backend, labels=labels)

    @app.post(
        "/predict",
        summary="Classify texts",
        responses=_ERRORS,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": PredictRequest.model_json_schema()}},
            }
        },
    )
    async def predict(request: Request) -> PredictResponse:
        nonlocal turns
        body = await _read_body(request, limits.max_body_bytes)
        texts = _texts_of(_parse_json(body), limits)
        if turns is None:
            turns = asyncio.Semaphore(concurrency)
        async with turns:  # waiting here holds no worker thread
            predictions = await run_in_threadpool(classifier.predict, texts)
        return PredictResponse(
            predictions=[
                LabelPrediction(
                    label=p.label, probability=p.probability, probabilities=p.probabilities
                )
                for p in predictions
            ]
        )

    return app


async def _read_body(request: Request, limit: int) -> bytes:
    """The request's body, refused (413) as soon as it is known to be over ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, _too_large_body(int(declared), limit))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, _too_large_body(size, limit, at_least=True))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large_body(size: int, limit: int, *, at_least: bool = False) -> str:
    many = f"at least {size:,}" if at_least else f"{size:,}"
    return f"the body has {many} bytes, over the limit of {limit:,} (--max-body-bytes)"


def _parse_json(body: bytes) -> Any:
    if not body:
        raise HTTPException(400, 'expected a JSON body {"texts": [...]}, found an empty body')
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPException(
            400, f"expected a UTF-8 body, found an invalid byte at offset {exc.start}"
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise HTTPException(400, f"expected a JSON body, found invalid JSON ({exc})") from exc
    except RecursionError as exc:  # [[[[...]]]]: deeper than the parser goes
        raise HTTPException(400, "expected a JSON body, found one nested too deeply") from exc


def _texts_of(payload: Any, limits: ServeLimits) -> list[str]:
    """The texts of a ``/predict`` body, checked: 422 for a wrong shape, 413 over a limit."""
    if not isinstance(payload, dict):
        raise HTTPException(
            422, f'expected a JSON object {{"texts": [...]}}, found {_json_type(payload)}'
        )
    if "texts" not in payload:
        raise HTTPException(422, 'expected a "texts" field, a list of the texts to classify')
    others = sorted(set(payload) - {"texts"})
    if others:
        raise HTTPException(422, f'expected only a "texts" field, found also {", ".join(others)}')
    texts = payload["texts"]
    if not isinstance(texts, list):
        hint = ' (one text goes in a list: {"texts": ["..."]})' if isinstance(texts, str) else ""
        raise HTTPException(
            422, f"expected texts to be a list of strings, found {_json_type(texts)}{hint}"
        )
    if not texts:
        raise HTTPException(422, "texts is empty: expected at least one text to classify")
    if len(texts) > limits.max_batch:
        raise HTTPException(
            413,
            f"texts has {len(texts):,} texts, over the limit of {limits.max_batch:,} a request "
            "(--max-batch): send them in smaller batches",
        )
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise HTTPException(422, f"texts[{i}]: expected a string, found {_json_type(text)}")
        if not text.strip():
            raise HTTPException(422, f"texts[{i}] is empty: expected a text to classify")
        if len(text) > limits.max_text_chars:
            raise HTTPException(
                413,
                f"texts[{i}] has {len(text):,} characters, over the limit of "
                f"{limits.max_text_chars:,} (--max-text-chars)",
            )
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate escaped in the JSON (\ud800)
            raise HTTPException(
                422, f"texts[{i}]: expected Unicode text, found a lone surrogate at {exc.start}"
            ) from exc
    return texts


def _json_type(value: Any) -> str:
    """What a parsed JSON value is, in words: ``a string``, ``a number``, ``null``, ...

    Example:
        >>> [_json_type(v) for v in ({}, [], "", True, 3, 1.5, None)]
        ['an object', 'a list', 'a string', 'a boolean', 'a number', 'a number', 'null']
    """
    if value is None:
        return "null"
    for kind, name in ((bool, "a boolean"), (int | float, "a number"), (str, "a string")):
        if isinstance(value, kind):
            return name
    return "an object" if isinstance(value, dict) else "a list"


# -- from a model folder ------------------------------------------------------------------------
def load_for_serving(folder: str | Path, backend: str = "torch") -> Classifier:
    """The classifier of a model folder (a path, or ``hf://OWNER/NAME[@revision]``) on ``backend``.

    ``backend="onnx"`` serves without importing PyTorch (see
    :func:`~nlptransfer.deploy.backends.load_classifier`).

    Raises:
        NLPTransferError: the folder is not a model folder.
        UnknownNameError: no backend has that name.
    """
    from nlptransfer.deploy.backends import load_classifier

    return load_classifier(folder, backend=backend)


def app_from_folder(
    folder: str | Path,
    *,
    backend: str = "torch",
    limits: ServeLimits | None = None,
    concurrency: int = 1,
) -> FastAPI:
    """The application serving a model folder's classifier, with its ``README.md`` at ``/``."""
    from nlptransfer.train.hub import resolve_model_folder

    path = resolve_model_folder(folder)
    card_path = path / "README.md"
    card = card_path.read_text(encoding="utf-8") if card_path.is_file() else f"# {path.name}\n"
    return create_app(
        load_for_serving(path, backend),
        model_card=card,
        limits=limits,
        backend=backend,
        concurrency=concurrency,
    )


def settings_for_workers(
    folder: str | Path, *, backend: str, limits: ServeLimits, concurrency: int
) -> str:
    """The JSON :func:`app_from_environment` reads from :data:`SETTINGS_VARIABLE`."""
    return json.dumps(
        {
            "folder": str(folder),
            "backend": backend,
            "limits": asdict(limits),
            "concurrency": concurrency,
        }
    )


def app_from_environment() -> FastAPI:
    """The application of each worker process of ``nlptransfer serve --workers N`` (uvicorn
    imports it by name), from the settings in :data:`SETTINGS_VARIABLE`."""
    settings = json.loads(os.environ[SETTINGS_VARIABLE])
    return app_from_folder(
        settings["folder"],
        backend=settings["backend"],
        limits=ServeLimits(**settings["limits"]),
        concurrency=settings["concurrency"],
    )
