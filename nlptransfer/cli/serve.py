"""``nlptransfer serve``: a trained classifier behind HTTP (the ``serve`` extra)."""

from __future__ import annotations

import ipaddress
import logging
import os

import typer

from nlptransfer.deploy.backends import PREDICTOR_BACKENDS
from nlptransfer.deploy.limits import ServeLimits

logger = logging.getLogger(__name__)

_DEFAULTS = ServeLimits()


def serve(
    run: str = typer.Argument(
        ..., help="A model folder written by `nlptransfer train`, or hf://OWNER/NAME[@revision]."
    ),
    host: str = typer.Option(
        "127.0.0.1", help="Address to listen on; 0.0.0.0 serves every interface (no auth!)."
    ),
    port: int = typer.Option(8000, min=1, max=65535),
    backend: str = typer.Option(
        "torch", help="torch; onnx or onnx-int8: the folder's exported model, run without PyTorch."
    ),
    workers: int = typer.Option(1, min=1, help="Processes, each with its own copy of the model."),
    max_batch: int = typer.Option(_DEFAULTS.max_batch, min=1, help="Most texts a request."),
    max_text_chars: int = typer.Option(
        _DEFAULTS.max_text_chars, min=1, help="Most characters a text."
    ),
    max_body_bytes: int = typer.Option(
        _DEFAULTS.max_body_bytes, min=1, help="Most bytes a request body."
    ),
) -> None:
    """Serve a classifier: POST /predict {"texts": [...]}, GET /health, GET / (its card), /docs."""
    import uvicorn

    from nlptransfer.deploy import server

    if backend not in PREDICTOR_BACKENDS:
        known = ", ".join(PREDICTOR_BACKENDS.names())
        raise typer.BadParameter(
            f"expected one of {known}, found {backend!r}", param_hint="--backend"
        )
    limits = ServeLimits(max_batch, max_text_chars, max_body_bytes)
    if not _is_loopback(host):
        logger.warning(
            "listening on %s: anyone who can reach this machine can use the model (the server "
            "has no authentication); --host 127.0.0.1 keeps it to this machine",
            host,
        )
    from nlptransfer.train.hub import resolve_model_folder

    folder = resolve_model_folder(run)  # downloads a Hub model once, for every worker
    app = server.app_from_folder(folder, backend=backend, limits=limits)  # fails here, in one line
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
        return
    del app  # each worker loads its own
    os.environ[server.SETTINGS_VARIABLE] = server.settings_for_workers(
        folder, backend=backend, limits=limits, concurrency=1
    )
    uvicorn.run(
        "nlptransfer.deploy.server:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        server_header=False,
    )


def _is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (``localhost``, 127.x.x.x, ``::1``).

    Example:
        >>> _is_loopback("127.0.0.1"), _is_loopback("localhost"), _is_loopback("0.0.0.0")
        (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
