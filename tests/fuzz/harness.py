"""What every fuzz test shares: a per-example deadline, the tally of outcomes per reader, and a
time budget for ``make fuzz``.

Outcomes (counted per reader, printed at the end of the run and written to the JSON file named
by ``NLPTRANSFER_FUZZ_COUNTS``):

- ``loaded-equal``: the input loaded, to exactly what the reference tool reads from it;
- ``loaded-checked``: it loaded and no reference tool reads it (or the reference cannot be run
  safely on it), so what loaded was checked for consistency instead;
- ``project-error``: it was refused with an ``NLPTransferError`` naming the file.

Anything else (another exception, a hang past the deadline, a result that differs from the
reference) fails the test, and hypothesis shrinks it to a small example to keep as a
regression case (``@example``).
"""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from hypothesis import settings

from nlptransfer.errors import NLPTransferError

#: ``{reader: {outcome: count}}`` for this process.
OUTCOMES: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)

#: Seconds one example may take before it counts as a hang (``NLPTRANSFER_FUZZ_DEADLINE``).
DEADLINE = float(os.environ.get("NLPTRANSFER_FUZZ_DEADLINE", "5"))


class Hang(BaseException):
    """An example ran past the deadline (a ``BaseException``: no reader's ``except Exception``
    can swallow it)."""


@contextlib.contextmanager
def deadline(seconds: float = DEADLINE) -> Iterator[None]:
    """Raise :class:`Hang` in the main thread once ``seconds`` have passed."""

    def expire(signum, frame):
        raise Hang(f"the example ran past its deadline of {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def refused(reader: str, error: NLPTransferError, *names: str | Path) -> None:
    """Count a refusal, after checking that its message names one of ``names`` (the file)."""
    message = str(error)
    named = any(str(name) in message for name in names)
    assert named, f"{type(error).__name__} does not name the file {names[0]}: {message}"
    OUTCOMES[reader]["project-error"] += 1


def loaded(reader: str, outcome: str = "loaded-equal") -> None:
    OUTCOMES[reader][outcome] += 1


#: How many property tests this run collected (set by the suite's conftest).
PROPERTY_TESTS = 1


def budget_seconds() -> float | None:
    """Seconds each fuzz property runs for under ``make fuzz`` (``FUZZ_SECONDS`` divided among
    the properties collected), or ``None`` in the default suite (one bounded run each)."""
    total = os.environ.get("FUZZ_SECONDS")
    if not total:
        return None
    return float(total) / max(PROPERTY_TESTS, 1)


def run_property(run: Callable[[], None]) -> None:
    """Run a ``@given`` function once, or under ``make fuzz`` again and again with new seeds
    until this test's share of ``FUZZ_SECONDS`` is spent."""
    budget = budget_seconds()
    if budget is None:
        run()
        return
    stop = time.monotonic() + budget
    round_ = 0
    while time.monotonic() < stop:
        run._hypothesis_internal_use_seed = round_  # type: ignore[attr-defined]  # = @seed(round_)
        run()
        round_ += 1


def profile_examples() -> int:
    """Examples in one hypothesis run under the active profile."""
    return settings().max_examples
