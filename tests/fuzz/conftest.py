"""The fuzz suite's hypothesis profiles and its tally of outcomes.

Profiles (``HYPOTHESIS_PROFILE``): ``ci``, the default, keeps the whole suite under a minute;
``fuzz`` (``make fuzz``) runs many more examples per round, and rounds until ``FUZZ_SECONDS``
are spent. Neither keeps an example database: each run explores afresh, and the seeds worth
keeping are written into the tests as ``@example`` regression cases.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from hypothesis import HealthCheck, settings

from tests.fuzz import harness
from tests.fuzz.harness import OUTCOMES

_COMMON = {
    "deadline": None,  # the suite's own deadline (harness.deadline) catches hangs
    "database": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    "print_blob": True,
}
settings.register_profile("ci", max_examples=25, **_COMMON)
settings.register_profile("fuzz", max_examples=100, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(items):
    """Count the properties that share ``FUZZ_SECONDS``: the ``test_mutated_*`` tests, which run
    rounds through :func:`~tests.fuzz.harness.run_property` (the single checks beside them in
    the ``test_fuzz_*`` modules take no share: counting them left a 1,860 s budget 29.5 minutes
    long)."""
    harness.PROPERTY_TESTS = sum(1 for item in items if item.name.startswith("test_mutated_"))


def pytest_terminal_summary(terminalreporter):
    if not OUTCOMES:
        return
    counts = {reader: dict(sorted(c.items())) for reader, c in sorted(OUTCOMES.items())}
    terminalreporter.section("fuzz outcomes (cases per reader)")
    for reader, outcome in counts.items():
        total = sum(outcome.values())
        shown = ", ".join(f"{name} {n}" for name, n in outcome.items())
        terminalreporter.write_line(f"{reader:<22} {total:>8}  {shown}")
    target = os.environ.get("NLPTRANSFER_FUZZ_COUNTS")
    if target:
        Path(target).write_text(json.dumps(counts, indent=2) + "\n", encoding="utf-8")
        terminalreporter.write_line(f"counts written to {target}")
