"""``compare``: one command, one answer. Which system to use on your data, and why.

:func:`compare` generates a grid of the systems a user would weigh (the Kim CNN with random,
frozen and fine-tuned vectors, and the baselines the grid schema knows: ``tfidf-lr``,
``fasttext`` with and without the vectors, ``vectors-lr``), runs it resumably into
``OUT/runs.jsonl`` through the grid runner, and writes ``OUT/report.md``, ``OUT/report.html``
and ``OUT/summary.json``: each system's accuracy with its interval and training time, the most
accurate system against each other one on the same test examples, the recommendation (the
cheapest system not significantly worse than the best; :mod:`nlptransfer.bench.verdict`), the
data summary with the vectors' coverage (how close their vocabulary is to the data's), with
``curve=True`` a learning curve of frozen against fine-tuned, and what fine-tuning changed in
the vectors (:mod:`nlptransfer.train.drift`, from one fine-tuned CNN saved under ``OUT/model``).

A baseline the grid schema does not accept (its package not installed, or not yet in this
version) is left out with a log line, and the report lists what ran.

Example:
    >>> # outcome = nlptransfer.compare("reviews.csv", vectors=["glove-6b-50d"], out="cmp")
    >>> # outcome.recommendation.system, outcome.paths["html"]
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlptransfer.bench.compare_report import write_compare_report
from nlptransfer.bench.grid import RunSpec, expand_grid, uses_cross_validation
from nlptransfer.bench.learning_curve import CurvePoint, learning_curve
from nlptransfer.bench.results import ResultsStore
from nlptransfer.bench.runner import _dataset, _tokenizer, _vectors, run_grid
from nlptransfer.bench.schema import BenchConfigError, DatasetSpec, parse_bench_config
from nlptransfer.bench.verdict import (
    ONE_ARM_BASELINES,
    SYSTEMS,
    Recommendation,
    Verdict,
    judge,
    system_name,
)
from nlptransfer.train.drift import EmbeddingDrift, folder_drift

logger = logging.getLogger(__name__)

#: The learning curve's training fractions (``curve=True``).
CURVE_FRACTIONS = (0.1, 0.3, 1.0)
#: Systems run at every fraction of the curve; the others at the full training set only.
CURVE_SYSTEMS = ("cnn-frozen", "cnn-finetune")
#: The training settings compare uses unless told otherwise.
DEFAULT_TRAIN: dict[str, Any] = {"optimizer": "adam", "lr": 0.001, "batch_size": 50, "patience": 3}
MODEL_FOLDER = "model"


@dataclass
class CompareOutcome:
    """What :func:`compare` did: the verdict, the files it wrote, what it left out."""

    folder: Path
    verdict: Verdict
    paths: dict[str, Path]
    summary: dict[str, Any]
    #: systems the grid schema did not accept, with the reason
    skipped: dict[str, str] = field(default_factory=dict)
    curve: list[CurvePoint] = field(default_factory=list)

    @property
    def recommendation(self) -> Recommendation:
        return self.verdict.recommendation


def compare_runs(
    dataset: Mapping[str, Any],
    vectors: Sequence[str],
    *,
    seeds: Sequence[int] = (0, 1, 2),
    fractions: Sequence[float] = (1.0,),
    train: dict[str, Any] | None = None,
    model_options: dict[str, Any] | None = None,
    tokenizer: dict[str, Any] | None = None,
    max_train_examples: int | None = None,
) -> tuple[list[RunSpec], dict[str, str]]:
    """The runs of a compare grid, and the systems left out (name -> why).

    ``dataset`` is a grid's dataset entry (``name``, files, file options).

    Each system of :data:`~nlptransfer.bench.verdict.SYSTEMS` is one small grid, validated by
    the grid schema as a YAML grid would be; the CNN's must validate (its error is the user's
    to see), a baseline that does not is left out. :data:`CURVE_SYSTEMS` run at every fraction,
    the others at the largest.

    Example:
        >>> runs, skipped = compare_runs({"name": "sst2"}, ["glove-6b-50d"], seeds=[0, 1])
        >>> sorted({system_name(r.to_dict()) for r in runs} & {"cnn-random", "cnn-frozen", "cnn-finetune"})
        ['cnn-finetune', 'cnn-frozen', 'cnn-random']
        >>> len([r for r in runs if r.model == "cnn"])
        6
    """
    top = max(fractions)
    fields = {k: v for k, v in dataset.items() if k in DatasetSpec.__dataclass_fields__}
    cv_folds = max(2, len(seeds)) if uses_cross_validation(DatasetSpec(**fields)) else None
    runs: list[RunSpec] = []
    skipped: dict[str, str] = {}
    for name, model, mode in SYSTEMS:
        grid: dict[str, Any] = {
            "name": f"compare-{name}",
            "datasets": [_dataset_entry(dataset)],
            "vectors": list(vectors),
            "models": [model],
            "seeds": list(seeds),
            "train_fraction": list(fractions) if name in CURVE_SYSTEMS else [top],
            "train": {**DEFAULT_TRAIN, **(train or {})},
            "tokenizer": dict(tokenizer or {"name": "spacy"}),
        }
        if cv_folds:
            grid["cv_folds"] = cv_folds
        if max_train_examples:
            grid["max_train_examples"] = max_train_examples
        if model == "cnn" and model_options:
            grid["model_options"] = {"cnn": dict(model_options)}
        # a baseline with a single arm may be written without a mode, where the schema wants that
        tries: list[dict[str, Any]] = [{"modes": [mode]}] + (
            [{}] if model in ONE_ARM_BASELINES else []
        )
        errors = []
        for modes in tries:
            try:
                config = parse_bench_config(yaml.safe_dump({**grid, **modes}), f"<compare: {name}>")
            except BenchConfigError as error:
                if model == "cnn":
                    raise
                errors.append(str(error))
                continue
            # only this system's runs, whatever else a grid of its model would hold
            runs.extend(r for r in expand_grid(config) if system_name(r.to_dict()) == name)
            break
        else:
            skipped[name] = errors[0]
    unique = {r.run_id: r for r in runs}
    return list(unique.values()), skipped


def _dataset_entry(dataset: Mapping[str, Any]) -> dict[str, Any] | str:
    entry = {k: v for k, v in dataset.items() if v is not None}
    return entry if len(entry) > 1 else entry["name"]


def compare(
    train_file: str | Path | None = None,
    *,
    test_file: str | Path | None = None,
    dev_file: str | Path | None = None,
    dataset: str | None = None,
    vectors: Sequence[str] = ("glove-6b-50d",),
    seeds: int | Sequence[int] = 3,
    curve: bool = False,
    fractions: Sequence[float] | None = None,
    out: str | Path = "compare",
    epochs: int | None = None,
    max_train_examples: int | None = None,
    train: dict[str, Any] | None = None,
    model_options: dict[str, Any] | None = None,
    tokenizer: dict[str, Any] | None = None,
    jobs: int = 1,
    drift: bool = True,
    progress: bool | None = None,
    draws: int = 2000,
    command: str | None = None,
    **file_options: Any,
) -> CompareOutcome:
    """Run the systems on your data and say which to use (see the module docstring).

    Args:
        train_file: your labelled training file (or ``dataset=``, a catalogue name).
        test_file / dev_file: held-out files; carved out of the training file when absent.
        dataset: a catalogue name instead of files (``tweets``, ``sst2``, ``trec``...); with
            files, the name the report gives them (default: the training file's stem).
        vectors: the pretrained vectors (names or paths); several compare them too.
        seeds: how many seeds (``0..N-1``), or the seeds themselves.
        curve: add a learning curve (:data:`CURVE_FRACTIONS`) for frozen against fine-tuned.
        fractions: the curve's training fractions instead of :data:`CURVE_FRACTIONS`.
        out: the folder for the runs (resumable) and the report.
        epochs / max_train_examples / train: the training budget (``train``: any
            :class:`~nlptransfer.train.trainer.TrainConfig` setting).
        model_options / tokenizer: the CNN's options and the tokenizer section of a grid.
        jobs: runs at a time.
        drift: save one fine-tuned CNN under ``OUT/model`` and report what moved in its vectors.
        draws: bootstrap resamples for the paired intervals.
        command: how the comparison was asked for, for the report (the CLI passes its line).
        **file_options: the dataset's file options (``format``, ``text_column``,
            ``label_column``...), as a grid's dataset takes them.

    Raises:
        BenchConfigError: the data or the options are not a valid grid (the message says which).
    """
    if train_file is None and dataset is None:
        raise ValueError(
            "give a training file (train_file=...) or a catalogue dataset (dataset=...)"
        )
    seed_list = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    if not seed_list:
        raise ValueError("seeds: at least one")
    fraction_list = sorted(set(fractions or (CURVE_FRACTIONS if curve else (1.0,))))
    if train_file is not None:
        spec = DatasetSpec(
            name=dataset or Path(train_file).name.split(".")[0],
            train_file=str(train_file),
            dev_file=str(dev_file) if dev_file else None,
            test_file=str(test_file) if test_file else None,
        )
    else:
        assert dataset is not None
        spec = DatasetSpec(name=dataset)
    extra = {k: v for k, v in file_options.items() if v is not None}
    settings = {**(train or {}), **({"epochs": epochs} if epochs else {})}
    entry = {**spec.source_dict(), **extra}

    def runs_at(fractions: Sequence[float]) -> tuple[list[RunSpec], dict[str, str]]:
        return compare_runs(
            entry,
            list(vectors),
            seeds=seed_list,
            fractions=fractions,
            train=settings,
            model_options=model_options,
            tokenizer=tokenizer,
            max_train_examples=max_train_examples,
        )

    runs, skipped = runs_at(fraction_list)
    if max_train_examples and len(fraction_list) > 1:
        # a curve within the budget: 10% is 10% of the examples the full point trains on (the
        # full point stays 1.0, the same runs as without --curve)
        rows = len(_dataset(runs[0])["train"])
        if max_train_examples < rows:
            scale = max_train_examples / rows
            fraction_list = [f * scale if f < 1.0 else f for f in fraction_list]
            runs, skipped = runs_at(fraction_list)
    for name, why in skipped.items():
        logger.info("compare: %s left out (the grid does not accept it: %s)", name, why)
    folder = Path(out)
    store = ResultsStore(folder)
    run_grid(runs, store, jobs=jobs, resume=True, progress=progress)
    wanted = {r.run_id for r in runs}
    records = [r for r in store.records() if r["run_id"] in wanted]
    gold = _gold_labels(runs)
    verdict = judge(records, gold, draws=draws)
    points = learning_curve(records) if len(fraction_list) > 1 else []
    data_dict, data_text = _data_summary(runs, vectors)
    moved = _drift(runs, folder) if drift else None
    setup = {
        "dataset": spec.to_dict() | extra,
        "vectors": list(vectors),
        "seeds": seed_list,
        "train_fractions": fraction_list,
        "train": {**DEFAULT_TRAIN, **settings},
        "max_train_examples": max_train_examples,
        "runs": len(runs),
        "runs_file": str(store.path.name),
        "left_out": skipped,
        "command": command,
    }
    lines = _setup_lines(setup, skipped)
    title = f"Which system for {spec.name}? ({', '.join(vectors)})"
    paths = write_compare_report(
        folder,
        verdict,
        title=title,
        curve=points,
        data=data_dict,
        data_text=data_text,
        drift=moved,
        setup=setup,
        setup_lines=lines,
    )
    summary = json.loads(paths["summary"].read_text(encoding="utf-8"))
    return CompareOutcome(folder, verdict, paths, summary, skipped, points)


def _gold_labels(runs: Sequence[RunSpec]) -> dict[int, list[int]]:
    """Replicate -> the test labels its runs scored (read as the runner reads the data)."""
    gold: dict[int, list[int]] = {}
    for spec in runs:
        if spec.replicate not in gold:
            gold[spec.replicate] = list(_dataset(spec)["test"]["label"])
    return gold


def _data_summary(runs: Sequence[RunSpec], vectors: Sequence[str]) -> tuple[dict[str, Any], str]:
    """The data summary (``nlptransfer.data.summary`` where it exists) and its text."""
    spec = next(r for r in runs if r.model == "cnn")
    data = _dataset(spec)
    loaded = _vectors(vectors[0])[0] if vectors else None
    tokenizer = _tokenizer(spec.tokenizer, loaded)
    try:
        module = importlib.import_module("nlptransfer.data.summary")
    except ModuleNotFoundError as error:
        if error.name != "nlptransfer.data.summary":
            raise
        return _plain_summary(data, loaded, tokenizer)
    summary = module.summarize_dataset(data, vectors=loaded, tokenizer=tokenizer)
    return summary.to_dict(), summary.render()


def _plain_summary(data: Any, vectors: Any, tokenizer: Any) -> tuple[dict[str, Any], str]:
    """Rows and classes per split and the vectors' coverage of the training tokens."""
    from collections import Counter

    names = data["train"].features["label"].names
    splits: dict[str, dict[str, Any]] = {}
    lines = []
    for split in ("train", "dev", "test"):
        counts = Counter(data[split]["label"])
        classes = {names[i]: counts.get(i, 0) for i in range(len(names))}
        splits[split] = {"rows": len(data[split]), "classes": classes}
        shown = ", ".join(f"{n} {c:,}" for n, c in classes.items())
        lines.append(f"{split:5} {len(data[split]):>7,} rows: {shown}")
    out: dict[str, Any] = {"splits": splits, "labels": names}
    if vectors is not None:
        report = vectors.coverage(tokenizer.tokenize_batch(data["train"]["text"]), progress=False)
        out["coverage"] = {
            "vectors": str(vectors.source),
            "token_coverage": round(report.token_coverage, 4),
            "type_coverage": round(report.type_coverage, 4),
            "missing": report.missing[:20],
        }
        missing = ", ".join(w for w, _ in report.missing[:12])
        lines.append(
            f"coverage of the training text by {vectors.source}: {report.token_coverage:.1%} "
            f"of tokens, {report.type_coverage:.1%} of word types (the closer to 100%, the "
            f"closer the vectors' vocabulary to the data's); most frequent missing: {missing}"
        )
    return out, "\n".join(lines)


def _drift(runs: Sequence[RunSpec], folder: Path) -> EmbeddingDrift | None:
    """Save one fine-tuned CNN (the first seed, full data) under ``folder/model``; its drift."""
    tuned = [r for r in runs if system_name(r.to_dict()) == "cnn-finetune"]
    if not tuned:
        return None
    spec = max(tuned, key=lambda r: (r.train_fraction, -r.replicate))
    model = folder / MODEL_FOLDER
    if not (model / "model.safetensors").is_file():
        _train_model(spec, model)
    return folder_drift(model, top=10, k=4)


def _train_model(spec: RunSpec, out: Path) -> None:
    """Train ``spec``'s model once more, as the runner does, and save it as a model folder."""
    from nlptransfer.data.splits import stratified_sample
    from nlptransfer.train.classify import train_classifier
    from nlptransfer.train.trainer import TrainConfig

    data = _dataset(spec)
    labels = list(data["train"]["label"])
    texts = list(data["train"]["text"])
    size = len(labels)
    if spec.train_fraction < 1.0:
        size = max(len(set(labels)), round(size * spec.train_fraction))
    if spec.max_train_examples:
        size = min(size, spec.max_train_examples)
    keep = stratified_sample(labels, size, seed=spec.seed)
    vectors = _vectors(spec.vectors)[0] if spec.vectors else None
    embedding = dict(spec.embedding)
    oov = embedding.pop("oov", None)
    logger.info("compare: training one fine-tuned CNN into %s for the drift section", out)
    train_classifier(
        ([texts[i] for i in keep], [labels[i] for i in keep]),
        label_names=data["train"].features["label"].names,
        vectors=vectors,
        dev=(list(data["dev"]["text"]), list(data["dev"]["label"])),
        test=(list(data["test"]["text"]), list(data["test"]["label"])),
        model=spec.model,
        mode=spec.mode,
        tokenizer=_tokenizer(spec.tokenizer, vectors),
        min_freq=spec.vocab.get("min_freq", 1),
        max_vocab=spec.vocab.get("max_size"),
        add_vectors_words=spec.vocab.get("add_vectors_words", False),
        add_eval_words=spec.vocab.get("add_eval_words", True),
        oov=oov,
        model_options=spec.model_options,
        embedding_options=embedding,
        train_config=TrainConfig(**{**spec.train, "seed": spec.seed, "progress": False}),
        out=out,
        info={"dataset": spec.dataset},
    )


def _setup_lines(setup: dict[str, Any], skipped: dict[str, str]) -> list[str]:
    lines = []
    if setup.get("command"):
        lines += ["```", str(setup["command"]), "```", ""]
    lines += [
        f"- data: `{json.dumps(setup['dataset'])}`",
        f"- vectors: {', '.join(setup['vectors'])}; seeds: {', '.join(map(str, setup['seeds']))}; "
        f"training fractions: {', '.join(f'{f:g}' for f in setup['train_fractions'])}",
        f"- training: `{setup['train']}`"
        + (
            f", at most {setup['max_train_examples']:,} examples"
            if setup["max_train_examples"]
            else ""
        ),
        f"- {setup['runs']} runs in `{setup['runs_file']}` (rerun the same command to resume or "
        f"to rewrite this report); the fine-tuned CNN of the drift section in `{MODEL_FOLDER}/`",
    ]
    for name, why in skipped.items():
        lines.append(f"- left out: {name} ({why.splitlines()[0]})")
    return lines
