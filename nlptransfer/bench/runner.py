"""Running a grid: one run per :class:`RunSpec`, locally (in process or a process pool) or on Ray.

Only the parent process writes the results file, one complete line per finished run, so a
``kill -9`` at any moment loses at most the runs in flight; ``resume`` skips runs already in the
file. Each worker process loads a vectors file once and reuses it for every run it executes.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import platform
import resource
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from tqdm.auto import tqdm

from nlptransfer._util.errors import DatasetError
from nlptransfer._util.progress import progress_enabled
from nlptransfer.bench.grid import RunSpec
from nlptransfer.bench.names import EXECUTORS
from nlptransfer.bench.provenance import code_version
from nlptransfer.bench.results import ResultsStore

if TYPE_CHECKING:
    from datasets import DatasetDict

    from nlptransfer.text.tokenize import Tokenizer
    from nlptransfer.vectors.store import Vectors

logger = logging.getLogger(__name__)

_VECTORS: dict[str, Any] = {}
_DATASETS: dict[str, Any] = {}
_TOKENIZERS: dict[str, Any] = {}


def _vectors(source: str) -> tuple[Vectors, float]:
    """Load a vectors source once per process; later runs reuse it (and its load time is 0)."""
    from nlptransfer.vectors.load import load_vectors

    if source in _VECTORS:
        return _VECTORS[source], 0.0
    started = time.perf_counter()
    vectors = load_vectors(source, progress=False)
    _VECTORS[source] = vectors
    return vectors, time.perf_counter() - started


def _dataset(spec: RunSpec) -> DatasetDict:
    from nlptransfer.data import load_dataset

    key = repr(
        (
            sorted(spec.dataset.items()),
            spec.fold,
            spec.n_folds,
            spec.seed if spec.fold is not None else None,
        )
    )
    if key not in _DATASETS:
        options = {k: v for k, v in spec.dataset.items() if k != "name"}
        name = None if options.get("train_file") else spec.dataset["name"]
        if spec.fold is not None:
            options.update(fold=spec.fold, n_folds=spec.n_folds, seed=spec.seed - spec.fold)
        _DATASETS[key] = load_dataset(name, **options)
    return _DATASETS[key]


def _tokenizer(options: dict[str, Any], vectors: Vectors | None = None) -> Tokenizer:
    """One memoizing tokenizer per configuration and process: runs share dev/test tokens.

    Token vectors (model2vec, WordLlama) carry their own tokenizer and are split with it, not
    with the grid's, unless the grid's ``tokenizer`` says ``vectors_tokenizer: false``.
    """
    from nlptransfer.text.tokenize import MemoizedTokenizer, get_tokenizer

    rest = dict(options)
    if rest.pop("vectors_tokenizer", True) and vectors is not None and vectors.has_tokenizer:
        own = vectors.tokenizer()
        assert own is not None  # has_tokenizer
        key = json.dumps(own.config(), sort_keys=True)
        if key not in _TOKENIZERS:
            logger.info(
                "%s are token vectors: tokenizing with their own tokenizer (%r), not the "
                "grid's %s (tokenizer: {vectors_tokenizer: false} would use it)",
                vectors.source,
                own,
                rest.get("name", "spacy"),
            )
            _TOKENIZERS[key] = MemoizedTokenizer(own)
        return _TOKENIZERS[key]
    key = json.dumps(options, sort_keys=True)
    if key not in _TOKENIZERS:
        _TOKENIZERS[key] = MemoizedTokenizer(get_tokenizer(rest.pop("name", "spacy"), **rest))
    return _TOKENIZERS[key]


def _peak_memory_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def execute_run(spec: RunSpec, threads: int | None = None) -> dict[str, Any]:
    """Train and evaluate one grid cell; return its JSON-ready record."""
    from nlptransfer.data.splits import stratified_sample
    from nlptransfer.train.classify import train_classifier
    from nlptransfer.train.trainer import TrainConfig

    if threads:
        torch.set_num_threads(threads)
    logger.info("started %s", spec.label())
    started = time.perf_counter()
    dataset = _dataset(spec)
    label_names = dataset["train"].features["label"].names
    train_texts, train_labels = list(dataset["train"]["text"]), list(dataset["train"]["label"])
    size = len(train_labels)
    if spec.train_fraction < 1.0:
        size = max(len(label_names), round(size * spec.train_fraction))
    if spec.max_train_examples:
        size = min(size, spec.max_train_examples)
    if size < len(train_labels):
        keep = stratified_sample(train_labels, size, seed=spec.seed)
        train_texts = [train_texts[i] for i in keep]
        train_labels = [train_labels[i] for i in keep]
    vectors, load_seconds = _vectors(spec.vectors) if spec.vectors else (None, 0.0)
    tokenizer = _tokenizer(spec.tokenizer, vectors)
    vocab_options = dict(spec.vocab)
    embedding_options = dict(spec.embedding)
    oov = embedding_options.pop("oov", None)
    config = TrainConfig(**{**spec.train, "seed": spec.seed, "progress": False})
    run = train_classifier(
        (train_texts, train_labels),
        label_names=label_names,
        vectors=vectors,
        dev=(list(dataset["dev"]["text"]), list(dataset["dev"]["label"])),
        test=(list(dataset["test"]["text"]), list(dataset["test"]["label"])),
        model=spec.model,
        mode=spec.mode,
        tokenizer=tokenizer,
        min_freq=vocab_options.get("min_freq", 1),
        max_vocab=vocab_options.get("max_size"),
        add_vectors_words=vocab_options.get("add_vectors_words", False),
        add_eval_words=vocab_options.get("add_eval_words", True),
        oov=oov,
        model_options=spec.model_options,
        embedding_options=embedding_options,
        train_config=config,
    )
    metrics = run.metrics
    return {
        **spec.to_dict(),
        "label_names": label_names,
        "train_examples": len(train_labels),
        "metrics": {
            split: {k: metrics[split][k] for k in ("accuracy", "macro_f1", "confusion_matrix")}
            for split in ("dev", "test")
            if split in metrics
        },
        "best_epoch": metrics["best_epoch"],
        "epochs_run": metrics["epochs_run"],
        "history": metrics["history"],
        "tokenizer_used": tokenizer.config(),
        "vocab_size": metrics["vocab_size"],
        "pretrained_rows": metrics["pretrained_rows"],
        "trainable_parameters": metrics["trainable_parameters"],
        "timings": {
            "vectors_load_seconds": round(load_seconds, 3),
            "train_seconds": metrics["train_seconds"],
            "total_seconds": round(time.perf_counter() - started, 3),
            "train_examples_per_second": metrics["train_examples_per_second"],
        },
        "peak_memory_mb": _peak_memory_mb(),
        "environment": {
            "host": platform.node(),
            "python": platform.python_version(),
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "device": "cuda" if torch.cuda.is_available() else "cpu",
            **code_version(),
        },
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


#: Worker processes' log lines name their process, so two runs' epochs can be told apart.
WORKER_LOG_FORMAT = "%(levelname)s %(name)s [%(processName)s]: %(message)s"


def _worker_init(threads: int, log_level: int) -> None:
    torch.set_num_threads(threads)
    # the parent's level: what `nlptransfer bench` shows (each epoch) a pool's workers show too
    logging.basicConfig(level=log_level, format=WORKER_LOG_FORMAT)


def run_grid(
    runs: list[RunSpec],
    store: ResultsStore,
    *,
    jobs: int = 1,
    executor: str = "local",
    address: str | None = None,
    resume: bool = True,
    progress: bool | None = None,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Run every spec not yet in ``store`` (all of them with ``resume=False``); return new records.

    Args:
        jobs: runs at a time (processes for ``local``, concurrent tasks for ``ray``).
        executor: ``local`` or ``ray``.
        address: the Ray cluster (``auto``, ``ray://host:10001``); ``None`` starts a local Ray.
    """
    if executor not in EXECUTORS:
        raise ValueError(f"unknown executor {executor!r}; expected one of {', '.join(EXECUTORS)}")
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    done = store.finished_ids() if resume else set()
    if not resume and store.path.exists() and store.path.stat().st_size:
        raise FileExistsError(
            f"{store.path} already holds results; pass resume=True (--resume) to continue it, or choose another folder"
        )
    todo = [r for r in runs if r.run_id not in done]
    if executor == "local":  # a Ray cluster's workers may see files this machine does not
        check_inputs(todo)
    if done:
        logger.info("resuming: %d of %d runs already finished", len(runs) - len(todo), len(runs))
    bar = tqdm(
        total=len(runs),
        initial=len(runs) - len(todo),
        desc="runs",
        unit="run",
        disable=not progress_enabled(progress),
    )
    new: list[dict[str, Any]] = []

    def finished(record: dict[str, Any], running: int) -> None:
        store.append(record)
        new.append(record)
        bar.update(1)
        bar.set_postfix(running=running, left=len(todo) - len(new))
        test = record["metrics"].get("test", {})
        logger.info(
            "finished %s: test accuracy %.4f",
            RunSpec(**{k: record[k] for k in RunSpec.__dataclass_fields__ if k in record}).label(),
            test.get("accuracy", float("nan")),
        )
        if on_record:
            on_record(record)

    try:
        if executor == "ray":
            _run_ray(todo, jobs, address, finished)
        elif jobs == 1:
            for spec in todo:
                bar.set_postfix(running=1, left=len(todo) - len(new))
                finished(execute_run(spec), 0)
        else:
            _run_pool(todo, jobs, finished)
    finally:
        bar.close()
    return new


def check_inputs(
    runs: Iterable[RunSpec],
    *,
    on_dataset: Callable[[RunSpec, DatasetDict], None] | None = None,
) -> None:
    """Fail before the first run, not hours into a grid, when a run would be refused.

    What ``nlptransfer bench --dry-run`` checks, and every local grid before it starts:

    - every vectors source is an existing path or a catalogue name;
    - every dataset reads as its first run will read it (files, header, given or guessed
      columns, bad rows, a plausible label set): the whole ``load_dataset``;
    - every arm builds: its training settings, tokenizer (name, options, pattern), vocabulary
      options, embedding (mode, OOV policy, layer options) and the classifier with its options,
      on a three-word stand-in for the vectors (no vectors are loaded).

    Args:
        runs: the runs to check.
        on_dataset: called with the first run of each dataset and the dataset as read (the
            data summaries of ``nlptransfer bench`` are made this way, from one read).

    Raises:
        VectorsNotFoundError: a vectors source is neither (the message lists similar files).
        DatasetError: a dataset file is missing or cannot be read as asked (its subclasses
            :class:`~nlptransfer._util.errors.BadRowsError`, ``DatasetNotFoundError`` likewise).
        BenchConfigError: an arm's options would be refused; the message names the run and the
            section of the grid (``model_options``, ``embedding``, ``tokenizer``, ...).
    """
    from nlptransfer.vectors.load import check_source

    runs = list(runs)
    vectors = {spec.vectors for spec in runs if spec.vectors}
    for source in sorted(vectors):
        check_source(source)
    files = {
        (spec.dataset.get("name"), key, spec.dataset[key])
        for spec in runs
        for key in ("train_file", "dev_file", "test_file")
        if spec.dataset.get(key)
    }
    for name, key, file in sorted(files):
        if not Path(file).exists():
            raise DatasetError(f"dataset {name!r}: {key} {file} does not exist")
    datasets: set[str] = set()
    arms: set[str] = set()
    for spec in runs:
        dataset_key = json.dumps(spec.dataset, sort_keys=True, default=str)
        if dataset_key not in datasets:
            datasets.add(dataset_key)
            logger.info("checking dataset %s", spec.dataset["name"])
            dataset = _dataset(spec)
            if on_dataset is not None:
                on_dataset(spec, dataset)
        arm = [spec.model, spec.mode, spec.model_options, spec.embedding, spec.tokenizer]
        arm_key = json.dumps([*arm, spec.vocab, spec.train, spec.vectors is None], default=str)
        if arm_key not in arms:
            arms.add(arm_key)
            _check_arm(spec)


def _check_arm(spec: RunSpec) -> None:
    """Build what a run builds before training, on a stand-in for the vectors (see check_inputs)."""
    import numpy as np

    from nlptransfer.bench.schema import BenchConfigError
    from nlptransfer.nn.classifiers import build_classifier
    from nlptransfer.nn.embedding import PretrainedEmbedding
    from nlptransfer.text.tokenize import get_tokenizer
    from nlptransfer.text.vocab import Vocab
    from nlptransfer.train.trainer import TrainConfig
    from nlptransfer.vectors.store import Vectors

    def refused(section: str, error: BaseException) -> BenchConfigError:
        message = (
            str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}"
        )
        return BenchConfigError(
            f"run {spec.label()}: the grid's {section} would be refused: {message}"
        )

    try:
        TrainConfig(**{**spec.train, "seed": spec.seed, "progress": False})
    except (TypeError, ValueError) as error:
        raise refused("'train' settings", error) from None
    options = dict(spec.tokenizer)
    options.pop("vectors_tokenizer", None)
    try:
        tokenizer = get_tokenizer(options.pop("name", "spacy"), **options)
        tokens = tokenizer.tokenize_batch(["A film, to check the tokenizer.", "x"])
    except Exception as error:  # whatever a tokenizer's constructor raises: re.error, TypeError
        raise refused("'tokenizer'", error) from None
    for key, value in spec.vocab.items():
        valid = {
            "min_freq": isinstance(value, int) and not isinstance(value, bool) and value >= 1,
            "max_size": value is None
            or (isinstance(value, int) and not isinstance(value, bool) and value >= 1),
            "add_vectors_words": isinstance(value, bool),
            "add_eval_words": isinstance(value, bool),
        }.get(key, False)
        if not valid:
            expected = "true or false" if key.startswith("add_") else "a whole number >= 1"
            raise refused("'vocab'", ValueError(f"{key}: expected {expected}, found {value!r}"))
    vocab = Vocab.build([*tokens, ["the", "film"]])
    stand_in = None
    if spec.vectors:
        rows = np.random.default_rng(0).standard_normal((3, 8)).astype(np.float32)
        stand_in = Vectors(["the", "film", "a"], rows)
    layer = dict(spec.embedding)
    oov = layer.pop("oov", None)
    try:
        embedding = PretrainedEmbedding.from_vectors(
            stand_in,
            vocab,
            mode=spec.mode,  # type: ignore[arg-type]  # from_vectors refuses a wrong one
            oov=oov,
            seed=0,
            **layer,
        )
    except (TypeError, ValueError, KeyError) as error:
        raise refused("'embedding' options", error) from None
    try:
        build_classifier(spec.model, embedding, 2, **spec.model_options)
    except (TypeError, ValueError) as error:
        raise refused(f"'model_options' of {spec.model!r}", error) from None


def _run_pool(
    todo: list[RunSpec], jobs: int, finished: Callable[[dict[str, Any], int], None]
) -> None:
    threads = max(1, (os.cpu_count() or 1) // jobs)
    context = multiprocessing.get_context("spawn")  # fork + torch threads can deadlock
    log_level = logging.getLogger().getEffectiveLevel()
    with ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_worker_init, initargs=(threads, log_level)
    ) as pool:
        pending: set[Future] = set()
        queue = iter(todo)
        for spec in _take(queue, jobs):
            pending.add(pool.submit(execute_run, spec, threads))
        while pending:
            complete, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in complete:
                finished(future.result(), len(pending))
                for spec in _take(queue, 1):
                    pending.add(pool.submit(execute_run, spec, threads))


def _take(queue: Iterable[RunSpec], n: int) -> list[RunSpec]:
    out = []
    for spec in queue:
        out.append(spec)
        if len(out) == n:
            break
    return out


def _run_ray(
    todo: list[RunSpec],
    jobs: int,
    address: str | None,
    finished: Callable[[dict[str, Any], int], None],
) -> None:
    try:
        import ray
    except ImportError:
        raise ImportError("the Ray executor needs Ray: pip install 'nlptransfer[ray]'") from None
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, include_dashboard=False, logging_level=logging.WARNING)
    try:
        remote = ray.remote(num_cpus=1)(execute_run)
        pending = [remote.remote(spec) for spec in todo[:jobs]]
        queue = iter(todo[jobs:])
        while pending:
            complete, pending = ray.wait(pending, num_returns=1)
            for ref in complete:
                finished(ray.get(ref), len(pending))
                for spec in _take(queue, 1):
                    pending.append(remote.remote(spec))
    finally:
        if started_here:
            ray.shutdown()
