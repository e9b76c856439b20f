"""Reading a model folder's files that need no PyTorch: config, vocabulary, tokenizer, labels.

Both predictors open a folder through :func:`read_folder_files`: the PyTorch pipeline
(:func:`nlptransfer.train.model_folder.load_classifier`, which then rebuilds the classifier from
``model.safetensors``) and the ONNX one (:mod:`nlptransfer.deploy.onnx_predictor`, which runs
``model.onnx`` with onnxruntime and must not import torch). So both refuse the same broken
folders with the same messages.

Example:
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = Vocab.build([["good", "bad"]]).save(folder / "vocab.json")
    >>> config = {"format": FOLDER_FORMAT, "version": FOLDER_VERSION, "labels": ["neg", "pos"],
    ...           "classifier": {"name": "nbow", "num_classes": 2},
    ...           "embedding": {"mode": "random", "rows": 4, "dim": 8},
    ...           "tokenizer": {"name": "whitespace"}, "dataset": {"name": "demo"}}
    >>> _ = (folder / "config.json").write_text(json.dumps(config))
    >>> files = read_folder_files(folder)
    >>> files.label_names, len(files.vocab), files.info, files.tokenizer("good film")
    (['neg', 'pos'], 4, {'dataset': {'name': 'demo'}}, ['good', 'film'])
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlptransfer._util.errors import ModelFolderError, NLPTransferError, UnknownNameError
from nlptransfer.text.tokenize import Tokenizer, tokenizer_from_config
from nlptransfer.text.vocab import Vocab
from nlptransfer.train.folder_trust import check_folder
from nlptransfer.train.hub import resolve_model_folder

FOLDER_FORMAT = "nlptransfer-classifier"
FOLDER_VERSION = 1
#: The keys of config.json that describe the model itself; the others are ``info``.
MODEL_KEYS = ("format", "version", "classifier", "embedding", "tokenizer", "labels")


@dataclass
class FolderFiles:
    """What a model folder says besides its weights."""

    folder: Path
    config: dict[str, Any]
    vocab: Vocab
    tokenizer: Tokenizer
    label_names: list[str]
    metrics: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


def read_folder_files(folder: str | Path) -> FolderFiles:
    """Read and cross-check ``config.json``, ``vocab.json``, the tokenizer and ``metrics.json``.

    Raises:
        NLPTransferError: the folder has no config.json, is not a classifier folder, or its
            files do not agree (vocabulary and embedding rows, labels and outputs).
    """
    folder = resolve_model_folder(folder)  # a path, or hf://OWNER/NAME[@revision] from the Hub
    check_folder(folder)  # every file's shape and types, the vocabulary's digest
    config_path = folder / "config.json"
    if not config_path.is_file():
        raise NLPTransferError(f"{folder}: expected a model folder with config.json, found none")
    config = json.loads(config_path.read_text(encoding="utf-8"))
    if config.get("format") != FOLDER_FORMAT:
        raise NLPTransferError(
            f"{config_path}: expected format {FOLDER_FORMAT!r}, found {config.get('format')!r}"
        )
    vocab = Vocab.load(folder / "vocab.json")
    rows = config["embedding"]["rows"]
    if len(vocab) != rows:  # a token would silently read another token's row
        raise NLPTransferError(
            f"{folder / 'vocab.json'}: expected {rows} tokens, one per embedding row "
            f"(config.json), found {len(vocab)}: the folder's files do not belong together"
        )
    if len(config["labels"]) != config["classifier"]["num_classes"]:
        raise NLPTransferError(
            f"{config_path}: expected {config['classifier']['num_classes']} label names, one per "
            f"output of the classifier, found {len(config['labels'])}"
        )
    try:
        tokenizer = tokenizer_from_config(config["tokenizer"], folder=folder)
    except UnknownNameError as error:  # a typo, or the plugin that registers it not installed
        raise ModelFolderError(f"{config_path}: {error}") from error
    metrics_path = folder / "metrics.json"
    metrics = json.loads(metrics_path.read_text()) if metrics_path.is_file() else {}
    return FolderFiles(
        folder=folder,
        config=config,
        vocab=vocab,
        tokenizer=tokenizer,
        label_names=list(config["labels"]),
        metrics=metrics,
        info={k: v for k, v in config.items() if k not in MODEL_KEYS},
    )
