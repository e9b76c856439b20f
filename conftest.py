"""Where an extra is not installed (the core install, ``make test-core``), what needs it skips.

A test or doctest skips, naming the ``pip install`` to run, when

- the library raises :class:`~nlptransfer.errors.MissingExtraError` (the part it exercises sits
  behind an extra), or
- the test's own code imports a module of a missing extra (gensim or fastText as the reference
  to compare with, an example importing gensim's test data), or
- for doctests, the module itself cannot be imported without the extra (the modules of
  ``nlptransfer.nn``, ``train``, ``bench`` and ``pretrain``).

A plain ``ImportError`` raised inside nlptransfer's own code (an import no guard names an extra
for) is never turned into a skip: the core needing a module that it does not install is a failure. Folders of tests that all need an extra
say so in their ``conftest.py`` (``tests.conftest.skip_unless_installed``).
"""

from __future__ import annotations

import doctest
import sys
from pathlib import Path

import pytest

from nlptransfer._util.extras import import_optional, missing_extra
from nlptransfer.errors import MissingExtraError

ROOT = Path(__file__).resolve().parent
TESTS = ROOT / "tests"
#: The packages behind extras (the layers above ``data``): where one of their modules cannot be
#: imported for its doctests because an extra is missing, it skips. A module of the core that
#: cannot be imported is a collection error.
BEHIND_EXTRAS = tuple(
    ROOT / "nlptransfer" / name for name in ("nn", "train", "bench", "pretrain", "compat", "deploy")
)


def _raised_by_test_code(exc: BaseException) -> bool:
    """Whether the innermost frame of ``exc`` is a test's or a doctest example's own code."""
    last = None
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if not name.startswith("<frozen"):
            last = name
        tb = tb.tb_next
    if last is None:
        return False
    return last.startswith("<doctest ") or Path(last).resolve().is_relative_to(TESTS)


def missing_extra_reason(exc: BaseException) -> str | None:
    """Why a test that raised ``exc`` should skip (an extra is not installed), or ``None``."""
    if isinstance(exc, doctest.UnexpectedException):  # a doctest example raised it
        exc = exc.exc_info[1]
    if isinstance(exc, MissingExtraError):
        return str(exc)
    if isinstance(exc, ModuleNotFoundError) and _raised_by_test_code(exc):
        error = missing_extra(exc, "this test")
        return None if error is None else str(error)
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and call.excinfo is not None:
        reason = missing_extra_reason(call.excinfo.value)
        if reason is not None:
            report.outcome = "skipped"
            report.longrepr = (str(item.path), (item.location[1] or 0) + 1, f"Skipped: {reason}")
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    report = yield
    path = collector.path.resolve() if isinstance(collector, pytest.Module) else None
    if report.failed and path is not None and any(map(path.is_relative_to, BEHIND_EXTRAS)):
        parts = path.relative_to(ROOT).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        for depth in range(2, len(parts) + 1):  # pytest keeps what it half imported: start afresh
            sys.modules.pop(".".join(parts[:depth]), None)
        module = ".".join(parts)
        try:
            import_optional(module, what=module)
        except MissingExtraError as exc:
            report.outcome = "skipped"
            report.longrepr = (str(collector.path), 0, f"Skipped: {exc}")
        except Exception:  # the collection error stands as it is
            pass
    return report
