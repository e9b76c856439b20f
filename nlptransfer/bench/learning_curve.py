"""Frozen against fine-tuned as the training set grows: the small-data question of transfer.

:func:`learning_curve` gives, at each training fraction both were run at, the mean test accuracy
(and 95% interval over seeds) of the frozen and the fine-tuned CNN; :func:`crossing_sentence`
says in one sentence where they cross.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlptransfer.bench.verdict import system_results


@dataclass
class CurvePoint:
    """Frozen and fine-tuned CNN at one training fraction (accuracy %, mean over seeds)."""

    train_fraction: float
    train_examples: float
    frozen: float
    finetune: float
    frozen_ci95: tuple[float, float]
    finetune_ci95: tuple[float, float]


def learning_curve(
    records: Iterable[Mapping[str, Any]],
    *,
    frozen: str = "cnn-frozen",
    finetune: str = "cnn-finetune",
) -> list[CurvePoint]:
    """Frozen and fine-tuned accuracy at each training fraction both were run at."""
    records = list(records)
    points = []
    for fraction in sorted({r["train_fraction"] for r in records}):
        found = {s.name: s for s in system_results(records, train_fraction=fraction)}
        if frozen in found and finetune in found:
            f, t = found[frozen], found[finetune]
            points.append(
                CurvePoint(
                    fraction,
                    t.train_examples,
                    f.accuracy_mean,
                    t.accuracy_mean,
                    f.accuracy_ci95,
                    t.accuracy_ci95,
                )
            )
    return points


def crossing_sentence(points: Sequence[CurvePoint]) -> str:
    """Where frozen and fine-tuned cross as the training set grows, in one sentence.

    >>> p = lambda n, fr, ft: CurvePoint(n / 1000, n, fr, ft, (fr, fr), (ft, ft))
    >>> crossing_sentence([p(100, 60.0, 58.0), p(300, 63.0, 64.0), p(1000, 66.0, 69.0)])
    'Frozen vectors lead with 100 training examples (60.0% against 58.0%); fine-tuned ones lead from 300 examples on (64.0% against 63.0% there): the curves cross between 100 and 300 examples.'
    >>> crossing_sentence([p(100, 60.0, 61.0), p(1000, 66.0, 69.0)])
    'Fine-tuned vectors lead at every training size tried (100 to 1,000 examples): no crossing.'
    >>> wide = CurvePoint(1.0, 100, 60.0, 61.0, (58.0, 62.0), (59.0, 63.0))
    >>> crossing_sentence([wide]).endswith("treat the lead as uncertain.")
    True
    """
    if not points:
        return "No learning curve: frozen and fine-tuned were not both run at several sizes."
    sizes = [p.train_examples for p in points]
    leader = ["finetune" if p.finetune > p.frozen else "frozen" for p in points]
    overlapping = all(
        p.frozen_ci95[0] <= p.finetune_ci95[1] and p.finetune_ci95[0] <= p.frozen_ci95[1]
        for p in points
    )
    caveat = (
        " At every size the two means lie within each other's 95% intervals over seeds: "
        "treat the lead as uncertain."
        if overlapping
        else ""
    )
    if len(set(leader)) == 1:
        who = "Fine-tuned" if leader[0] == "finetune" else "Frozen"
        return (
            f"{who} vectors lead at every training size tried ({sizes[0]:,.0f} to "
            f"{sizes[-1]:,.0f} examples): no crossing.{caveat}"
        )
    i = next(k for k in range(1, len(points)) if leader[k] != leader[k - 1])
    before, after = points[i - 1], points[i]
    first = "Frozen" if leader[i - 1] == "frozen" else "Fine-tuned"
    then = "fine-tuned" if leader[i] == "finetune" else "frozen"
    lead_before = (
        (before.frozen, before.finetune) if first == "Frozen" else (before.finetune, before.frozen)
    )
    lead_after = (
        (after.finetune, after.frozen) if then == "fine-tuned" else (after.frozen, after.finetune)
    )
    upto = "with" if i == 1 else "up to"
    text = (
        f"{first} vectors lead {upto} {before.train_examples:,.0f} training examples "
        f"({lead_before[0]:.1f}% against {lead_before[1]:.1f}%); {then} ones lead from "
        f"{after.train_examples:,.0f} examples on ({lead_after[0]:.1f}% against "
        f"{lead_after[1]:.1f}% there): the curves cross between {before.train_examples:,.0f} "
        f"and {after.train_examples:,.0f} examples."
    )
    if len(set(leader[i:])) > 1:
        text += " (The lead changes again further on.)"
    return text + caveat
