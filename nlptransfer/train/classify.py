"""``train_classifier``: texts and labels in, a trained, saved, evaluated classifier out.

The data is either ``(texts, labels)`` tuples or, directly, the ``datasets.DatasetDict`` that
:func:`~nlptransfer.data.load_dataset` returns (train, dev and test splits; label names from its
``ClassLabel``).

Example:
    >>> import nlptransfer
    >>> glove = nlptransfer.load_vectors("glove-6b-50d")
    >>> texts = ["a great film", "a dull film", "great fun", "dull and slow"] * 10
    >>> labels = [1, 0, 1, 0] * 10
    >>> run = train_classifier(
    ...     (texts, labels), label_names=["negative", "positive"], vectors=glove, model="nbow",
    ...     mode="frozen", tokenizer="whitespace",
    ...     train_config=nlptransfer.TrainConfig(epochs=20, optimizer="adam", lr=0.01, progress=False),
    ... )
    >>> run.pipeline.predict(["great"])[0].label
    'positive'
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from nlptransfer.nn.classifiers import build_classifier
from nlptransfer.nn.embedding import Mode, PretrainedEmbedding
from nlptransfer.text.tokenize import Tokenizer, get_tokenizer
from nlptransfer.text.vocab import Vocab
from nlptransfer.train.metrics import classification_metrics
from nlptransfer.train.model_folder import TextClassifierPipeline
from nlptransfer.train.trainer import FitResult, TrainConfig, Trainer, seed_everything
from nlptransfer.vectors.fallback import resolve
from nlptransfer.vectors.store import Vectors

if TYPE_CHECKING:
    import datasets

logger = logging.getLogger(__name__)

#: One split as ``(texts, label ids)``.
Split = tuple[Sequence[str], Sequence[int]]


@dataclass
class TrainedRun:
    """The outcome of :func:`train_classifier`."""

    pipeline: TextClassifierPipeline
    fit: FitResult
    metrics: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None
    #: Per evaluation split (``dev``, ``test``), the predicted label id of each example, in order.
    predictions: dict[str, list[int]] = field(default_factory=dict)


def vectors_info(vectors: Vectors | None) -> dict[str, Any]:
    """Provenance of the vectors for the model card and results."""
    if vectors is None:
        return {}
    return {
        "source": vectors.source,
        "format": vectors.format,
        "dim": vectors.dim,
        "words": len(vectors),
    }


def train_classifier(
    train: Split | datasets.DatasetDict,
    *,
    label_names: Sequence[str] | None = None,
    vectors: Vectors | None,
    dev: Split | None = None,
    test: Split | None = None,
    model: str = "cnn",
    mode: str = "finetune",
    tokenizer: str | Tokenizer | None = None,
    min_freq: int = 1,
    max_vocab: int | None = None,
    add_vectors_words: bool = False,
    add_eval_words: bool = True,
    oov: str | dict[str, Any] | None = None,
    model_options: dict[str, Any] | None = None,
    embedding_options: dict[str, Any] | None = None,
    train_config: TrainConfig | None = None,
    out: str | Path | None = None,
    info: dict[str, Any] | None = None,
) -> TrainedRun:
    """Train a text classifier on pretrained vectors and evaluate it.

    Args:
        train: ``(texts, labels)`` with integer labels indexing ``label_names``; or a
            ``datasets.DatasetDict`` with ``text`` and ``label`` columns, as
            :func:`~nlptransfer.data.load_dataset` returns: its ``train`` split is trained on,
            its ``dev`` (or ``validation``) split used as ``dev`` and its ``test`` split as
            ``test``, and the label names are its ``ClassLabel``'s.
        label_names: the class names (taken from the ``DatasetDict`` when ``train`` is one).
        vectors: the pretrained vectors (``None`` with ``mode="random"``).
        dev: ``(texts, labels)`` for early stopping (recommended).
        test: ``(texts, labels)`` evaluated once, with the best weights (and after every epoch,
            into the history, with ``TrainConfig(track_test=True)``).
        model: ``cnn``, ``bilstm`` or ``nbow``.
        mode: ``frozen``, ``finetune``, ``multichannel`` or ``random``.
        tokenizer: a tokenizer or its name (``spacy``, ``whitespace``, ``regex``, ``hf``);
            ``None`` (default): the vectors' own tokenizer when they carry one (token vectors:
            model2vec, WordLlama; see :func:`choose_tokenizer`), else ``spacy``.
        min_freq / max_vocab: vocabulary size controls (training words only).
        add_vectors_words: also give rows to every pretrained word never seen in training.
        add_eval_words: also give rows to the words of the dev and test texts that the vectors
            have (found by the fallback rules) but training never saw, so their pretrained
            vectors reach the model instead of the unknown row. Only the texts are read, never
            their labels; Kim (2014) built his vocabulary the same way. Ignored in ``random``
            mode (such rows would never be trained).
        oov: initialisation of rows with no pretrained vector (see the embedding layer).
        model_options / embedding_options: passed to the classifier / embedding layer.
        train_config: optimiser, epochs, seed, ... (:class:`TrainConfig`).
        out: write the model folder here.
        info: extra provenance for the folder's config (e.g. ``{"dataset": {...}}``; from a
            ``DatasetDict``, its name is recorded when ``info`` has no ``dataset``).

    Raises:
        ValueError: no ``label_names`` for tuples; ``dev``/``test`` given beside a
            ``DatasetDict``; a ``DatasetDict`` without a ``train`` split or a ``ClassLabel``.
    """
    if isinstance(train, Mapping):
        train, dev, test, label_names, info = _from_dataset_dict(
            train, dev=dev, test=test, label_names=label_names, info=info
        )
    elif label_names is None:
        raise ValueError("label_names= is needed with (texts, labels) data")
    config = train_config or TrainConfig()
    if config.track_test and test is None:
        raise ValueError("track_test scores the test set after every epoch: give a test set")
    tok = choose_tokenizer(tokenizer, vectors)
    train_texts, train_labels = train
    train_tokens = tok.tokenize_batch(train_texts)
    dev_tokens = tok.tokenize_batch(dev[0]) if dev else None
    test_tokens = tok.tokenize_batch(test[0]) if test else None
    vocab = Vocab.build(train_tokens, min_freq=min_freq, max_size=max_vocab)
    if add_eval_words and vectors is not None and mode != "random":
        vocab = vocab.extended(_pretrained_unseen(vectors, vocab, [dev_tokens, test_tokens]))
    if add_vectors_words and vectors is not None:
        vocab = vocab.with_vectors_words(vectors)
    seed_everything(config.seed)  # the model's initial weights, too, follow the seed
    embedding = PretrainedEmbedding.from_vectors(
        vectors,
        vocab,
        mode=cast(Mode, mode),  # from_vectors refuses a mode it does not know
        oov=oov,
        seed=config.seed,
        **(embedding_options or {}),
    )
    classifier = build_classifier(model, embedding, len(label_names), **(model_options or {}))
    pipeline = TextClassifierPipeline(
        tok,
        vocab,
        classifier,
        label_names,
        info={"vectors": vectors_info(vectors), "train": config.to_dict(), **(info or {})},
    )
    train_ids = _encode(vocab, train_tokens)
    dev_ids = _encode(vocab, dev_tokens) if dev_tokens is not None else None
    test_ids = _encode(vocab, test_tokens) if test_tokens is not None else None
    monitor = None
    if test is not None and test_ids is not None and config.track_test:
        monitor = {"test": (test_ids, list(test[1]))}
    trainer = Trainer(classifier, config)
    fit = trainer.fit(
        train_ids, list(train_labels), dev_ids, list(dev[1]) if dev else None, monitor=monitor
    )
    metrics: dict[str, Any] = {
        "best_epoch": fit.best_epoch + 1,
        "epochs_run": len(fit.history),
        "train_seconds": round(fit.train_seconds, 3),
        "train_examples_per_second": round(fit.examples_per_second, 1),
        "vocab_size": len(vocab),
        "pretrained_rows": int(embedding.pretrained_mask.sum()),
        "trainable_parameters": sum(p.numel() for p in classifier.parameters() if p.requires_grad),
        "history": [
            {
                "epoch": r.epoch + 1,
                "train_loss": round(r.train_loss, 5),
                **r.dev,
                **{
                    f"{name}_{k}": v
                    for name, scores in r.monitored.items()
                    for k, v in scores.items()
                },
            }
            for r in fit.history
        ],
    }
    predictions: dict[str, list[int]] = {}
    for name, split, ids in (("dev", dev, dev_ids), ("test", test, test_ids)):
        if split and ids is not None:  # the ids are set exactly when the split is given
            predictions[name] = trainer.predict_proba(ids).argmax(axis=1).tolist()
            metrics[name] = classification_metrics(
                list(split[1]), predictions[name], len(label_names)
            )
    pipeline.metrics = metrics
    folder = pipeline.save(out) if out is not None else None
    return TrainedRun(
        pipeline=pipeline, fit=fit, metrics=metrics, folder=folder, predictions=predictions
    )


def choose_tokenizer(tokenizer: str | Tokenizer | None, vectors: Vectors | None) -> Tokenizer:
    """The tokenizer a classifier on ``vectors`` splits its texts with.

    The one given (a tokenizer or a name), else the vectors' own (token vectors such as
    model2vec's and WordLlama's carry theirs: with it every token has a row), else spaCy's.
    Either choice is logged when the vectors carry a tokenizer; naming another one for them is
    a warning (their rows are subword tokens, which other tokenizers seldom produce).

    Example:
        >>> import numpy as np
        >>> choose_tokenizer("whitespace", None).name, choose_tokenizer(None, None).name
        ('whitespace', 'spacy')
    """
    own = vectors.tokenizer() if vectors is not None else None
    if tokenizer is None:
        if own is None:
            return get_tokenizer("spacy")
        logger.info(
            "tokenizing with the tokenizer that comes with the vectors %s (%r): every token "
            "has a row",
            vectors.source if vectors is not None else "",
            own,
        )
        return own
    chosen = get_tokenizer(tokenizer) if isinstance(tokenizer, str) else tokenizer
    if own is not None:
        theirs = own.config().get("sha256")
        if chosen.config().get("sha256") != theirs:
            logger.warning(
                "the vectors %s are token vectors made for their own tokenizer (%r); "
                "tokenizing with %r instead leaves the tokens it makes that are not theirs "
                "without a pretrained row",
                vectors.source if vectors is not None else "",
                own,
                chosen,
            )
    return chosen


def _from_dataset_dict(
    data: Mapping[str, Any],
    *,
    dev: Split | None,
    test: Split | None,
    label_names: Sequence[str] | None,
    info: dict[str, Any] | None,
) -> tuple[Split, Split | None, Split | None, list[str], dict[str, Any] | None]:
    """Train, dev and test splits, label names and provenance from a ``DatasetDict``."""
    if dev is not None or test is not None:
        raise ValueError("dev= and test= come from the DatasetDict: pass its splits, not both")
    if "train" not in data:
        raise ValueError(f"the DatasetDict has no 'train' split (found: {', '.join(data)})")
    label = data["train"].features.get("label")
    names = list(getattr(label, "names", None) or [])
    if not names:
        raise ValueError(
            "the DatasetDict's 'label' column is not a ClassLabel with names: "
            "load it with nlptransfer.load_dataset, or pass (texts, labels) and label_names="
        )
    if label_names is not None and list(label_names) != names:
        raise ValueError(f"label_names {list(label_names)} differ from the DatasetDict's {names}")

    def split(name: str) -> Split:
        return list(data[name]["text"]), list(data[name]["label"])

    dev_name = next((name for name in ("dev", "validation") if name in data), None)
    if info is None or "dataset" not in info:
        dataset_name = getattr(data["train"].info, "dataset_name", None)
        info = {**(info or {}), "dataset": {"name": dataset_name}} if dataset_name else info
    return (
        split("train"),
        split(dev_name) if dev_name else None,
        split("test") if "test" in data else None,
        names,
        info,
    )


def _encode(vocab: Vocab, token_lists: Sequence[Sequence[str]]) -> list[np.ndarray]:
    return [np.asarray(vocab.encode(tokens), dtype=np.int64) for tokens in token_lists]


def _pretrained_unseen(
    vectors: Vectors, vocab: Vocab, token_lists: Sequence[Sequence[Sequence[str]] | None]
) -> list[str]:
    """Words of ``token_lists`` missing from ``vocab`` that a fallback rule finds in ``vectors``."""
    unseen = list(dict.fromkeys(t for tokens in token_lists if tokens for s in tokens for t in s))
    unseen = [w for w in unseen if w not in vocab]
    found = resolve(vectors.lookup(), unseen).found
    return [w for w, hit in zip(unseen, found, strict=True) if hit]
