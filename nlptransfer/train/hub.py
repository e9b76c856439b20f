"""Model folders on the Hugging Face Hub: ``hf://OWNER/NAME[@revision]``, pushing, card metadata.

A model folder is already laid out as the Hub expects a small PyTorch model: ``config.json``,
``model.safetensors`` (the ONNX file beside them when exported), and a ``README.md`` model card
whose YAML front matter (:func:`card_metadata`) gives ``library_name: nlptransfer``,
``pipeline_tag: text-classification``, tags, the dataset and the metrics in the Hub's
``model-index`` form. Loading and pushing go through ``huggingface_hub`` (the ``hub`` extra);
this module imports neither it (until called) nor PyTorch.

``HF_ENDPOINT``, ``HF_TOKEN``, ``HF_HUB_CACHE`` and ``HF_HUB_OFFLINE`` work as they do for
``huggingface_hub``.

Example:
    >>> parse_hub_spec("hf://someone/sst2-cnn@v1")
    ('someone/sst2-cnn', 'v1')
    >>> resolve_model_folder("runs/sst2-cnn")  # a local folder is itself
    PosixPath('runs/sst2-cnn')
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nlptransfer._util.errors import HubError, NLPTransferError
from nlptransfer._util.extras import require
from nlptransfer._util.version import __version__

#: What starts a model folder's name on the Hub, in ``load_classifier`` and ``nlptransfer serve``.
HUB_PREFIX = "hf://"

#: ``OWNER/NAME``: the Hub's repository names (letters, digits, ``-``, ``_``, ``.``).
_REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*")
#: A dataset's name the card's ``datasets:`` can list (a catalogue name or a Hub id, no path).
_DATASET_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?")


def parse_hub_spec(spec: str) -> tuple[str, str | None]:
    """``hf://OWNER/NAME[@revision]`` as ``(repo_id, revision or None)``.

    Raises:
        ValueError: ``spec`` is not of that form.

    Example:
        >>> parse_hub_spec("hf://someone/sst2-cnn")
        ('someone/sst2-cnn', None)
        >>> parse_hub_spec("hf://sst2-cnn")
        Traceback (most recent call last):
        ...
        ValueError: hf://sst2-cnn: expected hf://OWNER/NAME or hf://OWNER/NAME@REVISION
    """
    rest = spec[len(HUB_PREFIX) :] if spec.startswith(HUB_PREFIX) else spec
    repo_id, _, revision = rest.partition("@")
    if not _REPO_ID.fullmatch(repo_id) or ("@" in rest and not revision):
        raise ValueError(f"{spec}: expected hf://OWNER/NAME or hf://OWNER/NAME@REVISION")
    return repo_id, revision or None


def resolve_model_folder(spec: str | Path) -> Path:
    """The local folder of a model: ``spec`` itself, or a Hub model downloaded into the cache.

    ``hf://OWNER/NAME[@revision]`` is fetched with ``huggingface_hub.snapshot_download`` (files
    already in the cache are not fetched again; ``HF_HUB_OFFLINE=1`` uses the cache only). A
    ``Path`` made of such a name (which reads ``hf:/OWNER/NAME``, as a command's path argument
    gives it) is one too.

    Raises:
        ValueError: an ``hf://`` name that is not ``OWNER/NAME[@revision]``.
        HubError: the repository or revision is not found, or the Hub cannot be reached.
        MissingExtraError: ``huggingface_hub`` is not installed (the ``hub`` extra).

    Example:
        >>> resolve_model_folder(Path("runs") / "sst2-cnn")
        PosixPath('runs/sst2-cnn')
    """
    text = str(spec)
    if isinstance(spec, Path) and text.startswith("hf:/"):  # Path("hf://a/b") is hf:/a/b
        text = HUB_PREFIX + text[len("hf:/") :]
    if not text.startswith(HUB_PREFIX):
        return Path(spec)
    spec = text
    repo_id, revision = parse_hub_spec(spec)
    hub = require("huggingface_hub", extra="hub", purpose="models on the Hugging Face Hub")
    _quiet_http_logs()
    try:
        path = hub.snapshot_download(
            repo_id,
            revision=revision,
            library_name="nlptransfer",
            library_version=__version__,
        )
    except Exception as exc:  # the hub's errors: not found, offline, HTTP, ...
        if isinstance(exc, NLPTransferError) or not _is_hub_error(exc):
            raise
        raise HubError(f"{spec}: could not download the model ({_one_line(exc)})") from exc
    return Path(path)


def push_to_hub(
    folder: str | Path,
    repo_id: str,
    *,
    token: str | None = None,
    private: bool = False,
    commit_message: str | None = None,
) -> str:
    """Upload a model folder to the Hub repository ``repo_id`` (created if missing).

    Every file of the folder is uploaded in one commit; files already there with other names
    stay. ``token`` defaults to ``huggingface_hub``'s (``HF_TOKEN``, or ``hf auth login``).

    Returns:
        The URL of the commit.

    Raises:
        NLPTransferError: ``folder`` is not a model folder (no ``config.json`` of a classifier,
            no ``model.safetensors``).
        ValueError: ``repo_id`` is not ``OWNER/NAME``.
        HubError: the Hub refused (no token, no permission) or cannot be reached.
    """
    folder = Path(folder)
    check_model_folder(folder)
    if "@" in repo_id or repo_id.startswith(HUB_PREFIX) or not _REPO_ID.fullmatch(repo_id):
        raise ValueError(f"{repo_id}: expected OWNER/NAME (a push goes to the main branch)")
    hub = require("huggingface_hub", extra="hub", purpose="pushing to the Hugging Face Hub")
    _quiet_http_logs()
    api = hub.HfApi(token=token, library_name="nlptransfer", library_version=__version__)
    try:
        api.create_repo(repo_id, private=private, exist_ok=True, repo_type="model")
        commit = api.upload_folder(
            folder_path=str(folder),
            repo_id=repo_id,
            repo_type="model",
            commit_message=commit_message or f"Upload {folder.name} with nlptransfer {__version__}",
        )
    except Exception as exc:
        if isinstance(exc, NLPTransferError) or not _is_hub_error(exc):
            raise
        raise HubError(f"{repo_id}: could not push {folder} ({_one_line(exc)})") from exc
    return str(commit.commit_url)


def check_model_folder(folder: Path) -> None:
    """Raise :class:`~nlptransfer.errors.NLPTransferError` unless ``folder`` holds a classifier's
    ``config.json`` and ``model.safetensors``."""
    config_path = folder / "config.json"
    if not config_path.is_file():
        raise NLPTransferError(f"{folder}: expected a model folder with config.json, found none")
    config = json.loads(config_path.read_text(encoding="utf-8"))
    if not isinstance(config, dict) or config.get("format") != "nlptransfer-classifier":
        found = config.get("format") if isinstance(config, dict) else type(config).__name__
        raise NLPTransferError(
            f"{config_path}: expected format 'nlptransfer-classifier', found {found!r}"
        )
    if not (folder / "model.safetensors").is_file():
        raise NLPTransferError(f"{folder}: expected the weights, model.safetensors, found none")


def card_metadata(
    *,
    info: Mapping[str, Any],
    metrics: Mapping[str, Any],
    classifier: str,
    embedding_mode: str,
) -> str:
    """The YAML front matter of a model card (with its ``---`` lines), as the Hub reads it.

    Values are written as JSON strings and numbers, which YAML reads as they are.

    Example:
        >>> print(card_metadata(info={"dataset": {"name": "sst2"}},
        ...     metrics={"test": {"accuracy": 0.8, "macro_f1": 0.79}}, classifier="cnn",
        ...     embedding_mode="static"))
        ---
        library_name: nlptransfer
        pipeline_tag: text-classification
        tags:
        - nlptransfer
        - text-classification
        - cnn
        - static-embeddings
        datasets:
        - "sst2"
        metrics:
        - accuracy
        - f1
        model-index:
        - name: "cnn-sst2"
          results:
          - task:
              type: text-classification
              name: Text Classification
            dataset:
              name: "sst2"
              type: "sst2"
              split: test
            metrics:
            - type: accuracy
              value: 0.8
              name: Accuracy
            - type: f1
              value: 0.79
              name: Macro F1
              args:
                average: macro
        ---
        <BLANKLINE>
    """
    dataset = (info.get("dataset") or {}).get("name") or None
    vectors = (info.get("vectors") or {}).get("source")
    tags = ["nlptransfer", "text-classification", classifier, f"{embedding_mode}-embeddings"]
    if vectors:
        tags.append(str(vectors))
    lines = ["---", "library_name: nlptransfer", "pipeline_tag: text-classification", "tags:"]
    lines += [f"- {_yaml(tag)}" for tag in dict.fromkeys(tags)]
    if dataset and _DATASET_ID.fullmatch(str(dataset)):  # a name, not a file's path
        lines += ["datasets:", f"- {json.dumps(str(dataset))}"]
    splits = [s for s in ("test", "dev") if metrics.get(s)]
    if splits:
        lines += ["metrics:", "- accuracy", "- f1"]
        name = f"{classifier}-{dataset}" if dataset else classifier
        lines += ["model-index:", f"- name: {json.dumps(name)}", "  results:"]
        for split in splits:
            scores = metrics[split]
            lines += [
                "  - task:",
                "      type: text-classification",
                "      name: Text Classification",
                "    dataset:",
                f"      name: {json.dumps(str(dataset or 'unknown'))}",
                f"      type: {json.dumps(str(dataset or 'unknown'))}",
                f"      split: {split}",
                "    metrics:",
            ]
            if "accuracy" in scores:
                lines += [
                    "    - type: accuracy",
                    f"      value: {round(float(scores['accuracy']), 6)}",
                    "      name: Accuracy",
                ]
            if "macro_f1" in scores:
                lines += [
                    "    - type: f1",
                    f"      value: {round(float(scores['macro_f1']), 6)}",
                    "      name: Macro F1",
                    "      args:",
                    "        average: macro",
                ]
    return "\n".join([*lines, "---", ""])


def _yaml(tag: str) -> str:
    """A tag as a plain YAML scalar where it is one, else as a JSON (YAML-compatible) string."""
    return tag if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", tag) else json.dumps(tag)


def _quiet_http_logs() -> None:
    """Keep the HTTP client's line per request (INFO) out of a command's output, unless its
    logger's level was set on purpose."""
    for name in ("httpx", "httpx2", "httpcore", "httpcore2"):
        http_logger = logging.getLogger(name)
        if http_logger.level == logging.NOTSET:
            http_logger.setLevel(logging.WARNING)


def _is_hub_error(exc: BaseException) -> bool:
    """Whether ``exc`` comes from ``huggingface_hub`` or the HTTP client it talks through."""
    module = type(exc).__module__ or ""
    return module.startswith(
        ("huggingface_hub", "httpx", "httpcore", "requests", "urllib3")
    ) or isinstance(exc, OSError)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
