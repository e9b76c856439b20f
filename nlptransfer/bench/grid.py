"""Expanding a :class:`BenchConfig` into runs, each with a stable id.

Datasets with a test split are replicated over ``seeds``; datasets without one (MR, Subj) are
cross-validated, and their ``cv_folds`` folds are the replications (fold ``i`` runs with seed
``seeds[0] + i``), as the literature reports them. ``random`` mode uses none of the vectors'
values, but it runs once per vectors file all the same: its rows get the vectors' dimension and
spread, so the baseline differs from the pretrained modes in one thing only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import Any

from nlptransfer.bench.schema import BenchConfig, DatasetSpec
from nlptransfer.data.catalog import DATASETS, dataset_entry
from nlptransfer.train.trainer import TrainConfig


@dataclass(frozen=True)
class RunSpec:
    """Everything one run needs; ``run_id`` hashes it, so a resumed grid recognises it."""

    dataset: dict[str, Any]
    vectors: str | None
    model: str
    mode: str
    seed: int
    fold: int | None
    n_folds: int | None
    train_fraction: float
    max_train_examples: int | None
    train: dict[str, Any] = field(default_factory=dict)
    model_options: dict[str, Any] = field(default_factory=dict)
    embedding: dict[str, Any] = field(default_factory=dict)
    tokenizer: dict[str, Any] = field(default_factory=dict)
    vocab: dict[str, Any] = field(default_factory=dict)
    #: The name of the mode variant this run belongs to (``None``: the plain ``mode``).
    variant: str | None = None

    @property
    def run_id(self) -> str:
        fields = asdict(self)
        if fields["variant"] is None:  # plain modes keep the ids they had before variants
            del fields["variant"]
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    @property
    def arm(self) -> str:
        """What reports call this run's mode: the variant's name, or the mode."""
        return self.variant or self.mode

    @property
    def replicate(self) -> int:
        """The replication index that pairs runs across modes (the fold, or the seed)."""
        return self.fold if self.fold is not None else self.seed

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, **asdict(self)}

    def label(self) -> str:
        rep = f"fold {self.fold}" if self.fold is not None else f"seed {self.seed}"
        frac = "" if self.train_fraction == 1.0 else f" {self.train_fraction:.0%} train"
        return f"{self.dataset['name']} {self.model} {self.arm} {rep}{frac}"


def resolved_train(settings: dict[str, Any]) -> dict[str, Any]:
    """A run's training settings, with the optimizer written in even when left to the default.

    The optimizer is part of every run id, so a grid that leaves it out and was started when the
    default was Kim's Adadelta never resumes with its Adadelta runs taken for Adam ones.
    """
    return {"optimizer": TrainConfig.optimizer, **settings}


def uses_cross_validation(dataset: DatasetSpec) -> bool:
    """True for catalogue datasets whose protocol is k-fold cross-validation (no test split), as
    their catalogue entries say (``cv_folds``); given files never are.

    Example:
        >>> uses_cross_validation(DatasetSpec("rotten_tomatoes")), uses_cross_validation(DatasetSpec("sst2"))
        (True, False)
    """
    if dataset.train_file or dataset.test_file or dataset.name not in DATASETS:
        return False
    return dataset_entry(dataset.name).cv_folds is not None


def expand_grid(config: BenchConfig) -> list[RunSpec]:
    """All runs of the grid, in a deterministic order (dataset, vectors, model, fraction, rep, mode)."""
    runs: list[RunSpec] = []
    seen: set[str] = set()
    for dataset in config.datasets:
        cv = uses_cross_validation(dataset)
        replications = (
            [(config.seeds[0] + fold, fold) for fold in range(config.cv_folds)]
            if cv
            else [(seed, None) for seed in config.seeds]
        )
        for vectors in config.vectors:
            for model in config.models:
                for fraction in config.train_fraction:
                    for seed, fold in replications:
                        for name in config.modes:
                            mode, embedding = config.arm(name)
                            spec = RunSpec(
                                dataset=dataset.source_dict(),
                                vectors=vectors,
                                model=model,
                                mode=mode,
                                seed=seed,
                                fold=fold,
                                n_folds=config.cv_folds if cv else None,
                                train_fraction=fraction,
                                max_train_examples=config.max_train_examples,
                                train=resolved_train({**config.train, **(dataset.train or {})}),
                                model_options=dict(config.model_options.get(model, {})),
                                embedding=embedding,
                                tokenizer=dict(config.tokenizer),
                                vocab=dict(config.vocab),
                                variant=name if name in config.variants else None,
                            )
                            if spec.run_id not in seen:
                                seen.add(spec.run_id)
                                runs.append(spec)
    return runs


#: What ``select_runs`` can filter on, and how each key reads a run.
SELECTORS: dict[str, Callable[[RunSpec], set[str]]] = {
    "dataset": lambda r: {r.dataset["name"]},
    "vectors": lambda r: {str(r.vectors), PurePath(str(r.vectors)).name},
    "model": lambda r: {r.model},
    "mode": lambda r: {r.arm, r.mode},
    "seed": lambda r: {str(r.seed)},
    "fold": lambda r: {str(r.fold)},
    "fraction": lambda r: {f"{r.train_fraction:g}"},
}


def select_runs(runs: Sequence[RunSpec], filters: Sequence[str]) -> list[RunSpec]:
    """The runs matching every ``KEY=VALUE[,VALUE...]`` filter (keys: :data:`SELECTORS`).

    A run matches a filter when one of the values names it: ``mode`` matches a variant's name or
    its embedding mode, ``vectors`` a path or its file name. A filter that matches no run is an
    error naming the values the grid has, so a typo never silently selects nothing.

    Example:
        >>> from nlptransfer.bench.schema import parse_bench_config
        >>> grid = parse_bench_config(
        ...     "name: g\\ndatasets: [sst2]\\nvectors: [glove-6b-50d]\\nmodels: [cnn, bilstm]\\n"
        ...     "modes: [random]\\nseeds: [0, 1]"
        ... )
        >>> [r.label() for r in select_runs(expand_grid(grid), ["model=bilstm", "seed=1"])]
        ['sst2 bilstm random seed 1']
    """
    selected = list(runs)
    for text in filters:
        key, sep, values = text.partition("=")
        key = key.strip()
        if not sep or key not in SELECTORS or not values.strip():
            raise ValueError(
                f"{text!r}: expected KEY=VALUE[,VALUE...] with KEY one of {', '.join(SELECTORS)}"
            )
        wanted = {v.strip() for v in values.split(",") if v.strip()}
        read = SELECTORS[key]
        matching = [r for r in selected if read(r) & wanted]
        if not matching:
            present = sorted({value for r in runs for value in read(r)})
            raise ValueError(
                f"{text!r} matches no run; the grid's {key} values: {', '.join(present)}"
            )
        selected = matching
    return selected
