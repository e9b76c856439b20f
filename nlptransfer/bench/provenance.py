"""Which code made a result: the package version and, in a git checkout, the commit.

A benchmark record keeps these beside its metrics, so results made before and after a change
can be told apart from the results file alone.

Example:
    >>> sorted(code_version())
    ['commit', 'dirty', 'nlptransfer']
"""

from __future__ import annotations

import functools
import logging
import subprocess
from pathlib import Path
from typing import Any

from nlptransfer._util.version import __version__

logger = logging.getLogger(__name__)

#: The package's own folder: its git state is the code's.
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def _git(*args: str, cwd: Path) -> str | None:
    """A git command's stripped output, or ``None`` when git is absent or the command fails."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_state(folder: Path) -> tuple[str | None, bool | None]:
    """The commit checked out at ``folder`` and whether files under it differ from it.

    Returns ``(None, None)`` outside a git work tree (an installed wheel, say) or without git.
    Only changes to tracked files under ``folder`` count as dirty.
    """
    commit = _git("rev-parse", "HEAD", cwd=folder)
    if commit is None:
        return None, None
    changes = _git("status", "--porcelain", "--untracked-files=no", "--", ".", cwd=folder)
    return commit, bool(changes) if changes is not None else None


@functools.cache
def code_version() -> dict[str, Any]:
    """``{"nlptransfer": version, "commit": sha or None, "dirty": bool or None}`` for this process.

    The commit is the checkout the imported package lies in (``None`` for an installed
    package); ``dirty`` says whether the package's tracked files had uncommitted changes.
    """
    commit, dirty = git_state(PACKAGE_DIR)
    if dirty:
        logger.warning("nlptransfer at %s has uncommitted changes; results record it", commit)
    return {"nlptransfer": __version__, "commit": commit, "dirty": dirty}
