"""Running a grid: one run per :class:`RunSpec`, locally (in process or a process pool) or on Ray.

Only the parent process writes the results file, one complete line per finished run, so a
``kill -9`` at any moment loses at most the runs in flight; ``resume`` skips runs already in the
file. Each worker process loads a vectors file once and reuses it for every run it executes.
A run of a baseline (``tfidf-lr``, ``fasttext``, ``vectors-lr``) gets the same splits, training
sample, vectors and tokenizer as a neural run and leaves a record with the same keys; every
record keeps its per-example predictions (``predictions: {"dev": [...], "test": [...]}``, label
ids in the split's order), so any two systems can be compared on the same test examples.

Pool workers die with the process that started them (``kill -9`` included), and one results
folder is run by one process at a time (:class:`~nlptransfer.bench.lock.GridLock`).
"""

from __future__ import annotations

import ctypes
import json
import logging
import multiprocessing
import os
import platform
import resource
import signal
import sys
import threading
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
from nlptransfer.baselines.names import BASELINES
from nlptransfer.bench.baseline_runs import METRIC_KEYS, baseline_outcome
from nlptransfer.bench.grid import RunSpec
from nlptransfer.bench.grid_progress import GridProgress, duration_text
from nlptransfer.bench.lock import GridLock
from nlptransfer.bench.models import is_baseline
from nlptransfer.bench.names import EXECUTORS
from nlptransfer.bench.provenance import code_version
from nlptransfer.bench.results import ResultsStore

if TYPE_CHECKING:
    from datasets import DatasetDict

    from nlptransfer.text.tokenize import Tokenizer
    from nlptransfer.vectors.store import Vectors

logger = logging.getLogger(__name__)

_VECTORS: dict[str, tuple[Any, float]] = {}
_DATASETS: dict[str, Any] = {}
_TOKENIZERS: dict[str, Any] = {}


def _vectors(source: str) -> tuple[Vectors, float, bool]:
    """Load a vectors source once per process; later runs reuse it.

    Returns the vectors, how long loading them took in this process (measured when they were
    loaded, the same for every run that uses them) and whether this call loaded them.
    """
    from nlptransfer.vectors.load import load_vectors

    if source in _VECTORS:
        vectors, seconds = _VECTORS[source]
        return vectors, seconds, False
    started = time.perf_counter()
    vectors = load_vectors(source, progress=False)
    seconds = time.perf_counter() - started
    _VECTORS[source] = (vectors, seconds)
    return vectors, seconds, True


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


def _training_sample(
    spec: RunSpec, texts: list[str], labels: list[int], classes: int
) -> tuple[list[str], list[int]]:
    """The run's training rows: ``train_fraction`` of them (at least one per class), at most
    ``max_train_examples``, sampled in class proportion with the run's seed."""
    from nlptransfer.data.splits import stratified_sample

    size = len(labels)
    if spec.train_fraction < 1.0:
        size = max(classes, round(size * spec.train_fraction))
    if spec.max_train_examples:
        size = min(size, spec.max_train_examples)
    if size < len(labels):
        keep = stratified_sample(labels, size, seed=spec.seed)
        return [texts[i] for i in keep], [labels[i] for i in keep]
    return texts, labels


def execute_run(spec: RunSpec, threads: int | None = None) -> dict[str, Any]:
    """Train and evaluate one grid cell (a neural classifier or a baseline); return its
    JSON-ready record."""
    if threads:
        torch.set_num_threads(threads)
    logger.info("started %s", spec.label())
    started = time.perf_counter()
    dataset = _dataset(spec)
    label_names = dataset["train"].features["label"].names
    train = _training_sample(
        spec, list(dataset["train"]["text"]), list(dataset["train"]["label"]), len(label_names)
    )
    dev = (list(dataset["dev"]["text"]), list(dataset["dev"]["label"]))
    test = (list(dataset["test"]["text"]), list(dataset["test"]["label"]))
    vectors, load_seconds, loaded_here = (
        _vectors(spec.vectors) if spec.vectors else (None, None, False)
    )
    baseline = BASELINES.get(spec.model) if is_baseline(spec.model) else None
    tokenizer = (
        _tokenizer(spec.tokenizer, vectors) if baseline is None or baseline.uses_tokenizer else None
    )
    if baseline is not None:
        outcome = baseline_outcome(
            spec,
            train=train,
            dev=dev,
            test=test,
            label_names=label_names,
            vectors=vectors,
            tokenizer=tokenizer,
        )
    else:
        assert tokenizer is not None  # a neural run's spec always names its tokenizer
        outcome = _classifier_outcome(spec, train, dev, test, label_names, vectors, tokenizer)
    train_seconds = outcome.pop("train_seconds")
    examples_per_second = outcome.pop("train_examples_per_second")
    return {
        **spec.to_dict(),
        "label_names": label_names,
        "train_examples": len(train[1]),
        **outcome,
        "timings": {
            "vectors_load_seconds": None if load_seconds is None else round(load_seconds, 3),
            "vectors_loaded_by_this_run": loaded_here,
            "train_seconds": train_seconds,
            "total_seconds": round(time.perf_counter() - started, 3),
            "train_examples_per_second": examples_per_second,
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


def _classifier_outcome(
    spec: RunSpec,
    train: tuple[list[str], list[int]],
    dev: tuple[list[str], list[int]],
    test: tuple[list[str], list[int]],
    label_names: list[str],
    vectors: Vectors | None,
    tokenizer: Tokenizer,
) -> dict[str, Any]:
    """Train a neural classifier; its record's model-dependent fields."""
    from nlptransfer.train.classify import train_classifier
    from nlptransfer.train.trainer import TrainConfig

    vocab_options = dict(spec.vocab)
    embedding_options = dict(spec.embedding)
    oov = embedding_options.pop("oov", None)
    config = TrainConfig(**{**spec.train, "seed": spec.seed, "progress": False})
    run = train_classifier(
        train,
        label_names=label_names,
        vectors=vectors,
        dev=dev,
        test=test,
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
        "metrics": {
            split: {k: metrics[split][k] for k in METRIC_KEYS}
            for split in ("dev", "test")
            if split in metrics
        },
        "predictions": run.predictions,
        "best_epoch": metrics["best_epoch"],
        "epochs_run": metrics["epochs_run"],
        "history": metrics["history"],
        "tokenizer_used": tokenizer.config(),
        "vocab_size": metrics["vocab_size"],
        "pretrained_rows": metrics["pretrained_rows"],
        "trainable_parameters": metrics["trainable_parameters"],
        "train_seconds": metrics["train_seconds"],
        "train_examples_per_second": metrics["train_examples_per_second"],
    }


#: Worker processes' log lines name their process, so two runs' epochs can be told apart.
WORKER_LOG_FORMAT = "%(levelname)s %(name)s [%(processName)s]: %(message)s"


#: prctl(2)'s option: the signal the kernel sends a process when its parent dies.
PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, *, poll_seconds: float = 0.5) -> str:
    """Make this process end when the process ``parent`` ends, however it ends (``kill -9``).

    On Linux the kernel sends SIGKILL (``prctl(PR_SET_PDEATHSIG)``); elsewhere, or where
    ``prctl`` is not to be had, a daemon thread polls the parent's pid and exits when it changes.
    Returns which of the two is in place (``"prctl"`` or ``"watch"``).
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # it died before the call: nobody will signal us
                    os._exit(1)
                return "prctl"
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    return "watch"


def _worker_init(threads: int, log_level: int, parent: int | None = None) -> None:
    if parent is not None:  # a worker outliving `nlptransfer bench` would train for nobody
        die_with_parent(parent)
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
    lock: bool = True,
) -> list[dict[str, Any]]:
    """Run every spec not yet in ``store`` (all of them with ``resume=False``); return new records.

    Each finished run logs a line with ``[k/N]``, its duration, its test accuracy and the ETA of
    the rest (from the finished runs' durations, model by model).

    Args:
        jobs: runs at a time (processes for ``local``, concurrent tasks for ``ray``).
        executor: ``local`` or ``ray``.
        address: the Ray cluster (``auto``, ``ray://host:10001``); ``None`` starts a local Ray.
        lock: hold the results folder's :class:`~nlptransfer.bench.lock.GridLock` while running
            (``False`` when the caller holds it already).

    Raises:
        GridLockedError: another process is running a grid into the same folder.
    """
    if executor not in EXECUTORS:
        raise ValueError(f"unknown executor {executor!r}; expected one of {', '.join(EXECUTORS)}")
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    held = GridLock(store.folder).acquire() if lock else None
    try:
        return _run_unlocked(runs, store, jobs, executor, address, resume, progress, on_record)
    finally:
        if held is not None:
            held.release()


def _run_unlocked(
    runs: list[RunSpec],
    store: ResultsStore,
    jobs: int,
    executor: str,
    address: str | None,
    resume: bool,
    progress: bool | None,
    on_record: Callable[[dict[str, Any]], None] | None,
) -> list[dict[str, Any]]:
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
    counter = GridProgress(len(runs), len(runs) - len(todo), jobs)
    left = {r.run_id: r.model for r in todo}
    new: list[dict[str, Any]] = []

    def finished(record: dict[str, Any], running: int) -> None:
        store.append(record)
        new.append(record)
        left.pop(record["run_id"], None)
        bar.update(1)
        bar.set_postfix(running=running, left=len(todo) - len(new))
        seconds = record["timings"]["total_seconds"]
        test = record["metrics"].get("test", {})
        logger.info(
            "%s %s: test accuracy %.4f, %s; %d left, %s",
            counter.finished(record["model"], seconds),
            RunSpec(**{k: record[k] for k in RunSpec.__dataclass_fields__ if k in record}).label(),
            test.get("accuracy", float("nan")),
            duration_text(seconds),
            len(left),
            counter.eta_text(list(left.values())),
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
    if is_baseline(spec.model):  # no embedding layer or classifier: its own options only
        try:
            BASELINES.get(spec.model).check_options(spec.model_options)
        except ValueError as error:
            raise refused("'model_options'", error) from None
        return
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
        jobs,
        mp_context=context,
        initializer=_worker_init,
        initargs=(threads, log_level, os.getpid()),
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
