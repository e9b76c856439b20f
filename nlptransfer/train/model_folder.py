"""A trained classifier as a self-contained folder, and the pipeline that predicts with it.

Layout::

    config.json        classifier, embedding, tokenizer, labels, vectors provenance, training
    vocab.json         the vocabulary (nlptransfer-vocab JSON)
    tokenizer.json     only for a Hugging Face (``hf``) tokenizer: the file it splits text with
    model.safetensors  the weights: only the vocabulary's embedding rows, no pickle
    metrics.json       {"test": {"accuracy": ..., "macro_f1": ...}, "dev": {...}, ...}
    README.md          a short model card, with the Hub's YAML metadata (nlptransfer.train.hub)

The folder is written under a temporary name and renamed into place when complete.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from nlptransfer._util.errors import ModelFolderError, NLPTransferError, UnknownNameError
from nlptransfer._util.files import atomic_directory
from nlptransfer._util.registry import import_string
from nlptransfer.nn.classifiers import TextClassifier, build_classifier
from nlptransfer.nn.embedding import LAYER_OPTIONS, PretrainedEmbedding
from nlptransfer.text.tokenize import Tokenizer
from nlptransfer.text.vocab import Vocab
from nlptransfer.train.drift import drift_card_lines
from nlptransfer.train.folder_files import FOLDER_FORMAT, FOLDER_VERSION, read_folder_files
from nlptransfer.train.folder_trust import (
    VOCAB_DIGEST_KEY,
    check_weight_shapes,
    refuses_malformed_folders,
    vocab_digest,
)
from nlptransfer.train.hub import card_metadata
from nlptransfer.train.prediction import Prediction, TextPredictor
from nlptransfer.train.trainer import DEFAULT_LR

__all__ = [
    "FOLDER_FORMAT",
    "FOLDER_VERSION",
    "Prediction",
    "TextClassifierPipeline",
    "load_classifier",
]


class TextClassifierPipeline(TextPredictor):
    """Tokenizer + vocabulary + model + label names: text in, labels out.

    :meth:`~nlptransfer.train.prediction.TextPredictor.predict` and
    :meth:`~nlptransfer.train.prediction.TextPredictor.evaluate` come from
    :class:`~nlptransfer.train.prediction.TextPredictor`, shared with the ONNX predictor.

    Example:
        >>> # pipeline = nlptransfer.load_classifier("runs/sst2-cnn")
        >>> # pipeline.predict(["a gorgeous, witty film"])[0].label
    """

    def __init__(
        self,
        tokenizer: Tokenizer,
        vocab: Vocab,
        model: TextClassifier,
        label_names: Sequence[str],
        *,
        info: dict[str, Any] | None = None,
        metrics: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(tokenizer, vocab, label_names, info=info, metrics=metrics)
        self.model = model

    @torch.no_grad()
    def predict_proba(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        """Class probabilities ``[len(texts), classes]``."""
        from nlptransfer.train.trainer import TrainConfig, Trainer

        trainer = Trainer(
            self.model, TrainConfig(device="cpu" if not torch.cuda.is_available() else "auto")
        )
        return trainer.predict_proba(self.encode(texts), batch_size=batch_size)

    def export_onnx(self, path: str | Path, *, quantize: str | None = None) -> Path:
        """Write the classifier as an ONNX file (``path``: a file, or a folder to write
        ``model.onnx`` / ``model.int8.onnx`` into); see
        :func:`nlptransfer.deploy.onnx_export.export_onnx`, which this calls (the ``export``
        extra). ``quantize="int8"``: dynamically quantized. Returns the file written."""
        # Resolved when called, like a plugin: the exporter sits in a layer above this one.
        export = import_string(
            "nlptransfer.deploy.onnx_export:export_onnx", what="TextClassifierPipeline.export_onnx"
        )
        return cast(Path, export(self, path, quantize=quantize))

    # -- storage ------------------------------------------------------------------------------
    def save(self, folder: str | Path, *, model_card: str | None = None) -> Path:
        """Write the self-contained model folder (atomically); returns its path."""
        folder = Path(folder)
        emb = self.model.embedding
        config = {
            "format": FOLDER_FORMAT,
            "version": FOLDER_VERSION,
            "classifier": self.model.config,
            "embedding": {
                "mode": emb.mode,
                "rows": int(emb.weight.shape[0]),
                "dim": int(emb.weight.shape[1]),
                "projection": emb.proj.out_features if emb.proj is not None else None,
                **{k: getattr(emb, k) for k in LAYER_OPTIONS},
            },
            "tokenizer": None,  # below: what the tokenizer saves into the folder
            "labels": self.label_names,
            **self.info,
            VOCAB_DIGEST_KEY: vocab_digest(self.vocab.tokens),  # after info: never a stale one
        }
        state = {k: v.detach().cpu().contiguous() for k, v in self.model.state_dict().items()}
        with atomic_directory(folder) as tmp:
            config["tokenizer"] = self.tokenizer.save_files(tmp)  # e.g. an hf tokenizer.json
            (tmp / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
            self.vocab.save(tmp / "vocab.json")
            save_file(state, str(tmp / "model.safetensors"), metadata={"format": FOLDER_FORMAT})
            (tmp / "metrics.json").write_text(
                json.dumps(self.metrics, indent=2) + "\n", encoding="utf-8"
            )
            (tmp / "README.md").write_text(model_card or self.model_card(), encoding="utf-8")
        return folder

    def model_card(self) -> str:
        """A short Markdown description: data, vectors, mode, training, results.

        The results give accuracy and macro-F1 for each evaluated split, then the test split's
        (or else the dev split's) F1 per class and confusion matrix.
        """
        cfg = self.model.config
        emb = self.model.embedding
        vectors = self.info.get("vectors") or {}
        data = self.info.get("dataset") or {}
        lines = [
            card_metadata(
                info=self.info,
                metrics=self.metrics,
                classifier=cfg["name"],
                embedding_mode=emb.mode,
            ),
            f"# {cfg['name']} text classifier ({emb.mode} embeddings)",
            "",
            f"- Labels: {', '.join(self.label_names)}",
            f"- Data: {data.get('name', 'unknown')}",
            f"- Vectors: {vectors.get('source', 'none (random)')} ({vectors.get('dim', emb.channel_dim)}d)",
            f"- Embedding mode: {emb.mode}; vocabulary {len(self.vocab):,} tokens",
            f"- Classifier: {json.dumps(cfg)}",
            f"- Tokenizer: {json.dumps(self.tokenizer.config())}",
        ]
        training = _training_line(self.info.get("train") or {}, self.metrics)
        if training:
            lines.append(f"- Training: {training}")
        for split in ("dev", "test"):
            m = self.metrics.get(split)
            if m:
                lines.append(
                    f"- {split}: accuracy {m['accuracy']:.4f}, macro-F1 {m['macro_f1']:.4f}"
                )
        lines += _confusion_section(self.metrics, self.label_names)
        lines += drift_card_lines(emb, self.vocab)  # fine-tuned: the words that moved most
        lines += [
            "",
            "```python",
            "import nlptransfer",
            "",
            'model = nlptransfer.load_classifier("path/to/this/folder")',
            'model.predict(["some text"])  # [Prediction(label=..., probability=..., ...)]',
            "```",
            "",
        ]
        return "\n".join(lines)


def _training_line(train: Mapping[str, Any], metrics: Mapping[str, Any]) -> str:
    """``adam (lr 0.001), batches of 50, seed 0; epoch 4 of 9 kept (best dev accuracy)``."""
    if not train:
        return ""
    optimizer = train.get("optimizer", "?")
    lr = train.get("lr")
    if lr is None:
        lr = DEFAULT_LR.get(optimizer, "default")
    text = f"{optimizer} (lr {lr})"
    text += f", batches of {train.get('batch_size', '?')}, seed {train.get('seed', '?')}"
    if "best_epoch" in metrics and "epochs_run" in metrics:
        chosen = "best dev " + str(train.get("metric", "accuracy")) if "dev" in metrics else "last"
        text += f"; epoch {metrics['best_epoch']} of {metrics['epochs_run']} kept ({chosen})"
    return text


def _confusion_section(metrics: Mapping[str, Any], label_names: Sequence[str]) -> list[str]:
    """Per-class F1 and the confusion matrix (rows: true label) of the test or dev split."""
    split = next((s for s in ("test", "dev") if "confusion_matrix" in metrics.get(s, {})), None)
    if split is None:
        return []
    scores = metrics[split]
    matrix = scores["confusion_matrix"]
    f1 = scores.get("f1_per_class") or [None] * len(label_names)
    lines = [
        "",
        f"{split.capitalize()} set, by class (rows: true label; columns: predicted):",
        "",
        "| true label | " + " | ".join(label_names) + " | F1 |",
        "|---|" + "---:|" * (len(label_names) + 1),
    ]
    for name, row, score in zip(label_names, matrix, f1, strict=True):
        cells = " | ".join(str(int(v)) for v in row)
        lines.append(f"| {name} | {cells} | {'-' if score is None else f'{score:.3f}'} |")
    return lines


def _build(folder: Path, config: Mapping[str, Any], vocab: Vocab) -> TextClassifier:
    """The classifier ``config.json`` describes, embedding included, with placeholder weights.

    Raises:
        UnknownNameError: no classifier of that name (a typo, or its plugin not installed).
        ModelFolderError: options no classifier of that name is built with.
    """
    emb_cfg = dict(config["embedding"])
    embedding = PretrainedEmbedding(
        np.zeros((emb_cfg["rows"], emb_cfg["dim"]), np.float32),
        np.zeros(emb_cfg["rows"], bool),
        mode=emb_cfg["mode"],
        projection=emb_cfg.get("projection"),
        words=vocab.tokens,
        **{k: emb_cfg[k] for k in LAYER_OPTIONS if k in emb_cfg},
    )
    classifier_cfg = dict(config["classifier"])
    name = classifier_cfg.pop("name")
    num_classes = classifier_cfg.pop("num_classes")
    if name == "cnn":  # folders written before the option existed used "valid" padding
        classifier_cfg.setdefault("padding", "valid")
    try:
        return build_classifier(name, embedding, num_classes, **classifier_cfg)
    except UnknownNameError as error:
        raise UnknownNameError(
            f"{folder / 'config.json'}: {error}",
            kind=error.kind,
            name=error.name,
            known=error.known,
        ) from error
    except NLPTransferError:
        raise
    except (TypeError, ValueError, RuntimeError) as exc:
        detail = " ".join(str(exc).split())[:300]
        raise ModelFolderError(
            f"{folder / 'config.json'}: expected classifier options this nlptransfer can build "
            f"a {name!r} with, found {type(exc).__name__}: {detail}"
        ) from exc


@refuses_malformed_folders
def load_classifier(folder: str | Path, *, device: str = "cpu") -> TextClassifierPipeline:
    """Open a model folder written by :meth:`TextClassifierPipeline.save`, or one on the Hugging
    Face Hub, ``hf://OWNER/NAME[@revision]`` (:func:`~nlptransfer.train.hub.resolve_model_folder`).

    The classifier is rebuilt by the name its folder records, through
    :data:`~nlptransfer.nn.names.CLASSIFIERS`: a plugin's classifier loads where its package is
    installed. The result, a :class:`TextClassifierPipeline`, is exported as
    ``nlptransfer.TextClassifierPipeline``.

    Raises:
        NLPTransferError: the folder is missing a file, is not a classifier folder, or its
            files do not agree (vocabulary and embedding rows, labels and outputs, weights).
        UnknownNameError: the folder's classifier is not registered (its plugin not installed);
            the message names the folder's ``config.json``.

    Example:
        >>> import tempfile
        >>> from nlptransfer import TextClassifierPipeline, Vocab, get_tokenizer
        >>> from nlptransfer.nn import PretrainedEmbedding, build_classifier
        >>> vocab = Vocab.build([["good", "bad"]])
        >>> embedding = PretrainedEmbedding(np.ones((len(vocab), 4), "f"), np.ones(len(vocab), bool))
        >>> model = build_classifier("nbow", embedding, num_classes=2, hidden=None)
        >>> untrained = TextClassifierPipeline(get_tokenizer("whitespace"), vocab, model, ["neg", "pos"])
        >>> folder = untrained.save(tempfile.mkdtemp() + "/model")
        >>> again = load_classifier(folder)
        >>> isinstance(again, TextClassifierPipeline), again.label_names
        (True, ['neg', 'pos'])
        >>> again.predict("good")[0] == untrained.predict("good")[0]
        True
    """
    files = read_folder_files(folder)
    folder, config, vocab = files.folder, files.config, files.vocab
    weights_path = folder / "model.safetensors"
    with torch.device("meta"):  # shapes only, no memory: checked against the weights' header
        shapes = _build(folder, config, vocab).state_dict()
    check_weight_shapes(
        {key: list(tensor.shape) for key, tensor in shapes.items()},
        weights_path,
        folder / "config.json",
    )
    model = _build(folder, config, vocab)
    state = load_file(str(weights_path), device=device)
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:  # missing, unexpected or wrongly shaped tensors
        detail = " ".join(str(exc).split())
        raise NLPTransferError(
            f"{weights_path}: expected the weights config.json describes, found others ({detail})"
        ) from exc
    model.eval()
    return TextClassifierPipeline(
        files.tokenizer, vocab, model, files.label_names, info=files.info, metrics=files.metrics
    )
