"""Expanding a :class:`BenchConfig` into runs, each with a stable id.

Datasets with a test split are replicated over ``seeds``; datasets without one (MR, Subj) are
cross-validated, and their ``cv_folds`` folds are the replications (fold ``i`` runs with seed
``seeds[0] + i``), as the literature reports them. ``random`` mode uses none of the vectors'
values, but it runs once per vectors file all the same: its rows get the vectors' dimension and
spread, so the baseline differs from the pretrained modes in one thing only.

Baselines (:data:`~nlptransfer.baselines.BASELINES`) run in the modes they take among the grid's
(variants are the neural models' own): ``tfidf-lr`` takes none and runs once per dataset, seed
and fraction (mode ``"none"``, no vectors); ``fasttext`` runs ``random`` once (no vectors) and
``finetune`` once per vectors file; ``vectors-lr`` runs ``frozen`` per vectors file. A grid
whose modes a baseline takes none of is an error naming the baseline and why.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import Any

from nlptransfer.baselines.base import NO_MODE
from nlptransfer.baselines.names import BASELINES
from nlptransfer.bench.models import is_baseline
from nlptransfer.bench.schema import BenchConfig, BenchConfigError, DatasetSpec
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
    def system(self) -> str:
        """What comparisons call this run's system: ``cnn-frozen``, ``cnn-finetune``,
        ``bilstm-random``, ``cnn-<variant>``; a baseline's name (``tfidf-lr``, ``vectors-lr``,
        ``fasttext``), with ``-vectors`` where it also runs without them (``fasttext-vectors``).

        Example:
            >>> spec = RunSpec({"name": "sst2"}, "glove-6b-50d", "fasttext", "finetune", 0, None, None, 1.0, None)
            >>> spec.system, RunSpec({"name": "sst2"}, None, "cnn", "frozen", 0, None, None, 1.0, None).system
            ('fasttext-vectors', 'cnn-frozen')
        """
        if not is_baseline(self.model):
            return f"{self.model}-{self.arm}"
        baseline = BASELINES.get(self.model)
        if baseline.uses_vectors(self.mode) and len(baseline.modes) > 1:
            return f"{self.model}-vectors"
        return self.model

    @property
    def replicate(self) -> int:
        """The replication index that pairs runs across modes (the fold, or the seed)."""
        return self.fold if self.fold is not None else self.seed

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, **asdict(self), "system": self.system}

    def label(self) -> str:
        rep = f"fold {self.fold}" if self.fold is not None else f"seed {self.seed}"
        frac = "" if self.train_fraction == 1.0 else f" {self.train_fraction:.0%} train"
        arm = "" if self.arm == NO_MODE else f" {self.arm}"
        return f"{self.dataset['name']} {self.model}{arm} {rep}{frac}"


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


@dataclass(frozen=True)
class Arm:
    """One way a model runs in a grid: the ``modes`` entry's name, its embedding mode and
    options, and whether it runs once per vectors file (``False``: once, without vectors)."""

    name: str
    mode: str
    embedding: dict[str, Any]
    uses_vectors: bool = True
    variant: str | None = None


def model_arms(config: BenchConfig, model: str) -> list[Arm]:
    """The arms ``model`` runs in: every entry of ``modes`` for a neural classifier; for a
    baseline, the plain modes it takes (or its one mode ``"none"``).

    Raises:
        BenchConfigError: a baseline takes none of the grid's modes (the message says why).

    Example:
        >>> from nlptransfer.bench.schema import parse_bench_config
        >>> grid = parse_bench_config("name: g\\ndatasets: [sst2]\\nvectors: [glove-6b-50d]\\n"
        ...                           "modes: [random, frozen, finetune]")
        >>> [(a.mode, a.uses_vectors) for a in model_arms(grid, "fasttext")]
        [('random', False), ('finetune', True)]
        >>> [a.mode for a in model_arms(grid, "tfidf-lr")], [a.mode for a in model_arms(grid, "vectors-lr")]
        (['none'], ['frozen'])
    """
    if not is_baseline(model):
        arms = []
        for name in config.modes:
            mode, embedding = config.arm(name)
            variant = name if name in config.variants else None
            arms.append(Arm(name, mode, embedding, variant=variant))
        return arms
    baseline = BASELINES.get(model)
    if baseline.modeless:
        return [Arm(NO_MODE, NO_MODE, {}, uses_vectors=False)]
    plain = [name for name in config.modes if name not in config.variants]
    taken = [m for m in plain if baseline.takes(m)]
    if not taken:
        asked = list(config.modes)
        reasons = "; ".join(
            baseline.refusal(m) if m in plain else f"{m!r} is a variant of the neural models"
            for m in asked
        )
        raise BenchConfigError(
            f"{config.source or '<config>'}: the baseline {model!r} runs in none of the grid's "
            f"modes ({', '.join(asked)}): {reasons}. Add one of {', '.join(baseline.modes)} to "
            f"'modes', or leave {model!r} out of 'models'"
        )
    return [Arm(m, m, {}, uses_vectors=baseline.uses_vectors(m)) for m in taken]


def expand_grid(config: BenchConfig) -> list[RunSpec]:
    """All runs of the grid, in a deterministic order (dataset, vectors, model, fraction, rep, mode).

    A run that uses no vectors (a ``tfidf-lr`` run, ``fasttext`` in ``random`` mode) is listed
    once, under the first vectors file.
    """
    arms = {model: model_arms(config, model) for model in config.models}
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
                baseline = BASELINES.get(model) if is_baseline(model) else None
                for fraction in config.train_fraction:
                    for seed, fold in replications:
                        for arm in arms[model]:
                            if baseline is None:
                                train = resolved_train({**config.train, **(dataset.train or {})})
                                tokenizer = dict(config.tokenizer)
                                vocab = dict(config.vocab)
                            else:  # a baseline's settings are its model_options alone
                                train, vocab = {}, {}
                                tokenizer = (
                                    dict(config.tokenizer) if baseline.uses_tokenizer else {}
                                )
                            spec = RunSpec(
                                dataset=dataset.source_dict(),
                                vectors=vectors if arm.uses_vectors else None,
                                model=model,
                                mode=arm.mode,
                                seed=seed,
                                fold=fold,
                                n_folds=config.cv_folds if cv else None,
                                train_fraction=fraction,
                                max_train_examples=config.max_train_examples,
                                train=train,
                                model_options=dict(config.model_options.get(model, {})),
                                embedding=arm.embedding,
                                tokenizer=tokenizer,
                                vocab=vocab,
                                variant=arm.variant,
                            )
                            if spec.run_id not in seen:
                                seen.add(spec.run_id)
                                runs.append(spec)
    return runs


#: What ``select_runs`` can filter on, and how each key reads a run.
SELECTORS: dict[str, Callable[[RunSpec], set[str]]] = {
    "dataset": lambda r: {r.dataset["name"]},
    "vectors": lambda r: {r.vectors, PurePath(r.vectors).name} if r.vectors else {"none"},
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
