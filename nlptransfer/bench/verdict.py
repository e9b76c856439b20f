"""Which system to use: per-system accuracy with intervals, paired tests against the best, a rule.

The systems are the arms of a ``compare`` grid, named as users know them (:data:`SYSTEMS`):
``cnn-random``, ``cnn-frozen``, ``cnn-finetune``, ``tfidf-lr``, ``fasttext`` (trains its own
vectors), ``fasttext-vectors`` (starts from the grid's vectors), ``vectors-lr``.

Per system (at the largest training fraction): mean test accuracy over seeds with a 95%
Student-t interval over the seeds, and mean training seconds. Then the most accurate system is
compared with each other one, seed by seed on the same test examples:

- with per-example predictions (``record["predictions"]["test"]``) and the gold labels: the
  accuracy difference with a 95% bootstrap interval over test examples and seeds (the effect
  size, in percentage points), McNemar's exact test per seed, and, reported beside them, the
  Wilcoxon signed-rank test over seed pairs (see :func:`~nlptransfer.bench.paired.wilcoxon_note`
  for why it cannot decide with a few seeds). A system is *significantly worse* when the
  bootstrap interval of (best - it) lies above 0.
- without them: the mean seed-paired difference with its 95% t-interval, which decides the same
  way (and with 2 or 3 seeds rarely can).

The recommendation (:func:`recommend`): among the best system and every system not
significantly worse than it, the one with the fewest training seconds, with the reason in plain
words.

Example:
    >>> def run(model, mode, seed, correct, seconds):
    ...     return {"model": model, "mode": mode, "vectors": "glove-6b-50d", "seed": seed,
    ...             "fold": None, "train_fraction": 1.0, "train_examples": 100,
    ...             "metrics": {"test": {"accuracy": sum(correct) / len(correct)}},
    ...             "predictions": {"test": [1 if c else 0 for c in correct]},
    ...             "timings": {"train_seconds": seconds}}
    >>> gold = {0: [1] * 200, 1: [1] * 200}
    >>> records = [run("cnn", "finetune", s, [True] * 170 + [False] * 30, 20.0) for s in (0, 1)]
    >>> records += [run("tfidf-lr", "none", s, [False] * 10 + [True] * 166 + [False] * 24, 0.5) for s in (0, 1)]
    >>> records += [run("cnn", "random", s, [True] * 120 + [False] * 80, 15.0) for s in (0, 1)]
    >>> verdict = judge(records, gold)
    >>> [(s.name, round(s.accuracy_mean, 1)) for s in verdict.systems]
    [('cnn-finetune', 85.0), ('tfidf-lr', 83.0), ('cnn-random', 60.0)]
    >>> [(c.other, c.significantly_worse) for c in verdict.comparisons]
    [('tfidf-lr', False), ('cnn-random', True)]
    >>> verdict.recommendation.system
    'tfidf-lr'
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nlptransfer.bench.paired import (
    ALPHA,
    bootstrap_difference,
    discordant,
    mcnemar_exact,
    wilcoxon_min_p,
    wilcoxon_note,
    wilcoxon_p,
)
from nlptransfer.bench.summary import mean_std_ci, paired_t_p_value, vectors_name

#: (system name, model, mode): the arms ``compare`` runs, in the order reports list them.
SYSTEMS: tuple[tuple[str, str, str], ...] = (
    ("cnn-random", "cnn", "random"),
    ("cnn-frozen", "cnn", "frozen"),
    ("cnn-finetune", "cnn", "finetune"),
    ("tfidf-lr", "tfidf-lr", "none"),
    ("fasttext", "fasttext", "random"),
    ("fasttext-vectors", "fasttext", "finetune"),
    ("vectors-lr", "vectors-lr", "frozen"),
)
_NAMES = {(model, mode): name for name, model, mode in SYSTEMS}
#: Baselines with a single arm: one system whatever mode the record gives them.
ONE_ARM_BASELINES = {"tfidf-lr", "vectors-lr"}


def system_name(record: Mapping[str, Any], *, with_vectors: bool = False) -> str:
    """What reports call a run's system (:data:`SYSTEMS`), ``model-mode`` for any other arm.

    With ``with_vectors`` (a grid of several vectors), systems that read vectors say which.

    >>> system_name({"model": "fasttext", "mode": "finetune", "vectors": "glove-6b-50d"})
    'fasttext-vectors'
    >>> system_name({"model": "cnn", "mode": "frozen", "vectors": "/v/w2v.bin"}, with_vectors=True)
    'cnn-frozen (w2v.bin)'
    """
    name = record.get("system")  # what the grid recorded (RunSpec.system); older records: derived
    if not name:
        model, mode = record["model"], record.get("variant") or record["mode"]
        name = model if model in ONE_ARM_BASELINES else _NAMES.get((model, mode), f"{model}-{mode}")
    if with_vectors and record.get("vectors") and name not in ("fasttext", "tfidf-lr"):
        name += f" ({vectors_name(record['vectors'])})"
    return name


def _replicate(record: Mapping[str, Any]) -> int:
    return record["fold"] if record.get("fold") is not None else record["seed"]


def _order(name: str) -> int:
    base = name.split(" (")[0]
    names = [n for n, _, _ in SYSTEMS]
    return names.index(base) if base in names else len(names)


@dataclass
class SystemResult:
    """One system at one training fraction: test accuracy (%) over its seeds, and its cost."""

    name: str
    model: str
    mode: str
    vectors: str | None
    train_fraction: float
    runs: int
    accuracy_mean: float
    #: the 95% Student-t interval of the mean over seeds (the mean itself for one run)
    accuracy_ci95: tuple[float, float]
    accuracy_per_seed: dict[int, float]
    train_seconds: float
    train_examples: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.model,
            "mode": self.mode,
            "vectors": self.vectors,
            "train_fraction": self.train_fraction,
            "train_examples": self.train_examples,
            "runs": self.runs,
            "accuracy": {
                "mean": round(self.accuracy_mean, 3),
                "ci95": [round(self.accuracy_ci95[0], 3), round(self.accuracy_ci95[1], 3)],
                "interval": "Student t over seeds",
                "per_seed": {str(k): round(v, 3) for k, v in self.accuracy_per_seed.items()},
            },
            "train_seconds": round(self.train_seconds, 3),
        }


@dataclass
class PairedComparison:
    """The best system against another, on the same seeds and test examples."""

    best: str
    other: str
    seed_pairs: int
    #: best - other, mean test accuracy over the shared seeds, percentage points (effect size)
    difference: float
    ci95: tuple[float, float]
    #: how ``ci95`` was made: ``"bootstrap over test examples and seeds"`` or ``"t over seeds"``
    interval: str
    #: McNemar's exact p on each shared seed's test predictions (empty without predictions)
    mcnemar_p: dict[int, float] = field(default_factory=dict)
    #: examples only the best / only the other got right, summed over the seeds
    discordant: tuple[int, int] | None = None
    t_p_value: float | None = None
    wilcoxon_p_value: float | None = None
    significantly_worse: bool = False
    #: why the comparison could not be tested, when it could not
    untested: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "best": self.best,
            "other": self.other,
            "seed_pairs": self.seed_pairs,
            "difference": round(self.difference, 3),
            "ci95": [round(self.ci95[0], 3), round(self.ci95[1], 3)],
            "interval": self.interval,
            "mcnemar_exact_p": {str(k): _p(v) for k, v in self.mcnemar_p.items()},
            "discordant": list(self.discordant) if self.discordant else None,
            "paired_t_p": _p(self.t_p_value),
            "wilcoxon_p": _p(self.wilcoxon_p_value),
            "wilcoxon_min_p": wilcoxon_min_p(self.seed_pairs) if self.seed_pairs else None,
            "significantly_worse": self.significantly_worse,
            "untested": self.untested,
        }


@dataclass
class Recommendation:
    """The system to use, and why, in plain words."""

    system: str
    reason: str
    best: str
    #: the best and every system not significantly worse than it, most accurate first
    not_worse: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "reason": self.reason,
            "best": self.best,
            "not_significantly_worse": self.not_worse,
        }


@dataclass
class Verdict:
    """Everything :func:`judge` found: systems (most accurate first), comparisons, the answer."""

    systems: list[SystemResult]
    comparisons: list[PairedComparison]
    recommendation: Recommendation
    #: the tests used and what they can show, one sentence each
    notes: list[str]


def system_results(
    records: Iterable[Mapping[str, Any]], *, train_fraction: float | None = None
) -> list[SystemResult]:
    """Per system, test accuracy over its seeds and mean training time; most accurate first.

    Only the runs at ``train_fraction`` (default: the largest in the records) count.
    """
    records = list(records)
    if not records:
        raise ValueError("no runs to judge")
    fraction = train_fraction or max(r["train_fraction"] for r in records)
    with_vectors = len({r.get("vectors") for r in records if r.get("vectors")}) > 1
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in records:
        if r["train_fraction"] == fraction:
            groups[system_name(r, with_vectors=with_vectors)].append(r)
    out = []
    for name, runs in groups.items():
        per_seed = {_replicate(r): 100 * r["metrics"]["test"]["accuracy"] for r in runs}
        mean, _, half = mean_std_ci(list(per_seed.values()))
        first = runs[0]
        out.append(
            SystemResult(
                name=name,
                model=first["model"],
                mode=first.get("variant") or first["mode"],
                vectors=first.get("vectors"),
                train_fraction=fraction,
                runs=len(per_seed),
                accuracy_mean=mean,
                accuracy_ci95=(mean - half, mean + half),
                accuracy_per_seed=dict(sorted(per_seed.items())),
                train_seconds=float(np.mean([r["timings"]["train_seconds"] for r in runs])),
                train_examples=float(np.mean([r.get("train_examples", 0) for r in runs])),
            )
        )
    # most accurate first; equal accuracies (up to float noise): the faster first
    return sorted(out, key=lambda s: (-round(s.accuracy_mean, 9), s.train_seconds, _order(s.name)))


def compare_pair(
    best: Sequence[Mapping[str, Any]],
    other: Sequence[Mapping[str, Any]],
    gold: Mapping[int, Sequence[int]] | None = None,
    *,
    names: tuple[str, str] = ("best", "other"),
    draws: int = 2000,
) -> PairedComparison:
    """The runs of the best system against another's, matched by seed (or fold).

    Args:
        best / other: each system's run records at one training fraction.
        gold: replicate -> the test set's gold label ids in order; with it and both systems'
            ``predictions``, the per-example tests decide, else the seed-paired t-interval does.
        names: the two systems' names, for the result.
        draws: bootstrap resamples.
    """
    a = {_replicate(r): r for r in best}
    b = {_replicate(r): r for r in other}
    shared = sorted(set(a) & set(b))
    if not shared:
        return PairedComparison(
            *names, 0, math.nan, (math.nan, math.nan), "none", untested="no seed in common"
        )
    diffs = [
        100 * (a[k]["metrics"]["test"]["accuracy"] - b[k]["metrics"]["test"]["accuracy"])
        for k in shared
    ]
    t_p = paired_t_p_value(diffs)
    w_p = wilcoxon_p(diffs)
    correct = _correctness(a, b, shared, gold)
    if correct is not None:
        right_a, right_b = correct
        difference, low, high = bootstrap_difference(right_a, right_b, draws=draws)
        per_seed = {}
        totals = [0, 0]
        for k, ra, rb in zip(shared, right_a, right_b, strict=True):
            only_a, only_b = discordant(ra, rb)
            totals[0] += only_a
            totals[1] += only_b
            per_seed[k] = mcnemar_exact(only_a, only_b)
        return PairedComparison(
            *names,
            seed_pairs=len(shared),
            difference=difference,
            ci95=(low, high),
            interval="bootstrap over test examples and seeds",
            mcnemar_p=per_seed,
            discordant=(totals[0], totals[1]),
            t_p_value=t_p,
            wilcoxon_p_value=w_p,
            significantly_worse=low > 0,
        )
    mean, _, half = mean_std_ci(diffs)
    untested = None
    if len(shared) < 2:
        untested = "one seed and no per-example predictions: no test possible"
    low, high = mean - half, mean + half
    return PairedComparison(
        *names,
        seed_pairs=len(shared),
        difference=mean,
        ci95=(low, high),
        interval="t over seeds",
        t_p_value=t_p,
        wilcoxon_p_value=w_p,
        significantly_worse=untested is None and (t_p is not None and t_p < ALPHA) and mean > 0,
        untested=untested,
    )


def _correctness(
    a: Mapping[int, Mapping[str, Any]],
    b: Mapping[int, Mapping[str, Any]],
    shared: Sequence[int],
    gold: Mapping[int, Sequence[int]] | None,
) -> tuple[list[np.ndarray], list[np.ndarray]] | None:
    """Per shared replicate, where each system was right; None when anything is missing."""
    if gold is None:
        return None
    right_a, right_b = [], []
    for k in shared:
        labels = gold.get(k)
        pa = (a[k].get("predictions") or {}).get("test")
        pb = (b[k].get("predictions") or {}).get("test")
        if labels is None or pa is None or pb is None:
            return None
        if not len(pa) == len(pb) == len(labels):
            raise ValueError(
                f"seed {k}: {len(pa)} and {len(pb)} test predictions for {len(labels)} gold "
                "labels: the runs did not score the same test set"
            )
        truth = np.asarray(labels)
        right_a.append(np.asarray(pa) == truth)
        right_b.append(np.asarray(pb) == truth)
    return right_a, right_b


#: How much faster a system not significantly worse than the best must train to be recommended
#: instead of it: smaller gaps in measured training time are within its noise.
MATERIAL_SPEED_UP = 1.5


def recommend(
    systems: Sequence[SystemResult], comparisons: Sequence[PairedComparison]
) -> Recommendation:
    """The cheapest (fewest training seconds) of the best system and those not significantly
    worse than it, with the reason in plain words; the best itself unless the cheapest trains
    at least :data:`MATERIAL_SPEED_UP` times faster.

    Example:
        >>> s = lambda name, acc, secs: SystemResult(name, "m", "x", None, 1.0, 3, acc,
        ...                                          (acc - 1, acc + 1), {}, secs, 100)
        >>> systems = [s("cnn-finetune", 85.0, 20.0), s("tfidf-lr", 84.2, 0.5)]
        >>> tie = PairedComparison("cnn-finetune", "tfidf-lr", 3, 0.8, (-0.4, 2.0),
        ...                        "bootstrap over test examples and seeds")
        >>> print(recommend(systems, [tie]).reason)  # doctest: +NORMALIZE_WHITESPACE
        tfidf-lr is not significantly worse than the most accurate system, cnn-finetune
        (84.2% against 85.0%; cnn-finetune - tfidf-lr = +0.8 points, 95% interval [-0.4, +2.0],
        bootstrap over test examples and seeds), and it trains 40x faster (0.5 s against 20.0 s).
    """
    if not systems:
        raise ValueError("no system to recommend")
    best = systems[0]
    by_name = {c.other: c for c in comparisons}
    not_worse = [best] + [
        s for s in systems[1:] if s.name in by_name and not by_name[s.name].significantly_worse
    ]
    worse = [
        s.name for s in systems[1:] if s.name in by_name and by_name[s.name].significantly_worse
    ]
    cheapest = min(not_worse, key=lambda s: (s.train_seconds, -s.accuracy_mean))
    if cheapest.train_seconds * MATERIAL_SPEED_UP > best.train_seconds:
        cheapest = best  # a few percent of training time is timing noise, not a reason
    if cheapest is best:
        reason = f"{best.name} is the most accurate system ({best.accuracy_mean:.1f}% test accuracy"
        reason += (
            f", 95% interval over seeds [{best.accuracy_ci95[0]:.1f}, {best.accuracy_ci95[1]:.1f}])"
        )
        close = [s.name for s in not_worse[1:]]
        if close:
            reason += (
                f"; {_join(close)} {'is' if len(close) == 1 else 'are'} not significantly "
                f"worse, but none trains {MATERIAL_SPEED_UP:g}x faster"
            )
        if worse:
            reason += f"; {_join(worse)} {'is' if len(worse) == 1 else 'are'} significantly worse"
        reason += "."
    else:
        c = by_name[cheapest.name]
        speed = (
            best.train_seconds / cheapest.train_seconds if cheapest.train_seconds > 0 else math.inf
        )
        reason = (
            f"{cheapest.name} is not significantly worse than the most accurate system, "
            f"{best.name} ({cheapest.accuracy_mean:.1f}% against {best.accuracy_mean:.1f}%; "
            f"{best.name} - {cheapest.name} = {c.difference:+.1f} points, 95% interval "
            f"[{c.ci95[0]:+.1f}, {c.ci95[1]:+.1f}], {c.interval}), and it trains "
            f"{_times(speed)} faster ({cheapest.train_seconds:.1f} s against "
            f"{best.train_seconds:.1f} s)."
        )
        if c.untested:
            reason += f" Caution: {c.untested}."
        elif c.interval == "t over seeds":
            reason += (
                f" Caution: decided over {c.seed_pairs} seeds alone (these runs kept no "
                "per-example predictions), which can miss a real difference."
            )
    return Recommendation(cheapest.name, reason, best.name, [s.name for s in not_worse])


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _times(ratio: float) -> str:
    if math.isinf(ratio):
        return "infinitely"
    return f"{ratio:.0f}x" if ratio >= 10 else f"{ratio:.1f}x"


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _p(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.4g}")


def judge(
    records: Iterable[Mapping[str, Any]],
    gold: Mapping[int, Sequence[int]] | None = None,
    *,
    train_fraction: float | None = None,
    draws: int = 2000,
) -> Verdict:
    """Systems, the best against each other one, and the recommendation (module docstring).

    Args:
        records: run records of one dataset (``runs.jsonl`` lines).
        gold: replicate (seed or fold) -> the test set's gold label ids in order, for the
            per-example tests.
        train_fraction: judge the runs at this fraction (default: the largest).
        draws: bootstrap resamples.
    """
    records = list(records)
    systems = system_results(records, train_fraction=train_fraction)
    fraction = systems[0].train_fraction
    with_vectors = len({r.get("vectors") for r in records if r.get("vectors")}) > 1
    runs: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in records:
        if r["train_fraction"] == fraction:
            runs[system_name(r, with_vectors=with_vectors)].append(r)
    best = systems[0]
    comparisons = [
        compare_pair(runs[best.name], runs[s.name], gold, names=(best.name, s.name), draws=draws)
        for s in systems[1:]
    ]
    pairs = max((c.seed_pairs for c in comparisons), default=best.runs)
    per_example = any(c.interval.startswith("bootstrap") for c in comparisons)
    notes = [
        "Accuracy intervals: 95% Student-t intervals of the mean over seeds.",
        (
            "Best against each other system: the accuracy difference on the same test examples, "
            "its 95% bootstrap interval (test examples and seeds resampled together; the decision: "
            "significantly worse when the interval lies above 0), and McNemar's exact test per seed."
            if per_example
            else "Best against each other system: no per-example predictions in these runs, so "
            "the mean seed-paired difference and its 95% t-interval decide (significantly worse "
            "when the paired t-test gives p < 0.05). That interval holds the spread between seeds "
            "only, not the uncertainty of a finite test set, which the per-example tests add."
        ),
        _sentence(wilcoxon_note(pairs, per_example=per_example)),
        "No correction for testing the best system against several others: each comparison is "
        "at the 0.05 level.",
    ]
    return Verdict(systems, comparisons, recommend(systems, comparisons), notes)
