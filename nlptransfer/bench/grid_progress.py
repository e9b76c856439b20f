"""Progress of a running grid in lines people can follow: ``[k/N]`` runs and an ETA.

The ETA adds, for each run still to do, the mean duration of the finished runs of the same
model (a fastText run takes seconds, a BiLSTM's minutes; all finished runs' mean when none of
that model has finished yet), divided by the runs at a time.

Example:
    >>> p = GridProgress(total=4, done=1, jobs=1)
    >>> p.finished("cnn", 30.0)
    '[2/4]'
    >>> p.eta_seconds(["cnn", "tfidf-lr"])
    60.0
    >>> p.finished("tfidf-lr", 2.0), p.eta_text(["cnn"])
    ('[3/4]', 'ETA 30s')
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence


def duration_text(seconds: float) -> str:
    """``42s``, ``3m05s``, ``2h07m``.

    >>> duration_text(42.4), duration_text(185), duration_text(7620)
    ('42s', '3m05s', '2h07m')
    """
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class GridProgress:
    """Counts finished runs and estimates the time left from their durations."""

    def __init__(self, total: int, done: int = 0, jobs: int = 1) -> None:
        self.total = total
        self.count = done
        self.jobs = max(1, jobs)
        self._seconds: dict[str, list[float]] = defaultdict(list)

    def finished(self, model: str, seconds: float) -> str:
        """Count one finished run of ``model`` that took ``seconds``; return its ``[k/N]``."""
        self.count += 1
        self._seconds[model].append(seconds)
        return f"[{self.count}/{self.total}]"

    def eta_seconds(self, remaining: Sequence[str]) -> float | None:
        """Seconds left for the runs of the models ``remaining`` (``None``: nothing measured)."""
        every = [s for values in self._seconds.values() for s in values]
        if not every:
            return None
        overall = sum(every) / len(every)
        means = {m: sum(v) / len(v) for m, v in self._seconds.items()}
        return sum(means.get(model, overall) for model in remaining) / self.jobs

    def eta_text(self, remaining: Sequence[str]) -> str:
        """``ETA 3m05s``, ``done``, or ``ETA unknown`` before any run has finished."""
        if not remaining:
            return "done"
        eta = self.eta_seconds(remaining)
        return "ETA unknown" if eta is None else f"ETA {duration_text(eta)}"
