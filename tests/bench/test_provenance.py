"""Which code made a result: git state of a real repository, and of no repository."""

from __future__ import annotations

import shutil
import subprocess

import pytest

import nlptransfer
from nlptransfer.bench.provenance import PACKAGE_DIR, code_version, git_state

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(folder, *args) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A real git repository with one commit, and no repository above it to fall back on."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    folder = tmp_path / "repo"
    (folder / "pkg").mkdir(parents=True)
    (folder / "pkg" / "model.py").write_text("WIDTH = 3\n")
    (folder / "notes.txt").write_text("outside the package\n")
    _git(folder, "init", "-q")
    _git(folder, "add", ".")
    _git(folder, "commit", "-q", "-m", "first")
    return folder


def test_a_clean_checkout_gives_its_commit(repo):
    assert git_state(repo / "pkg") == (_git(repo, "rev-parse", "HEAD"), False)


def test_a_changed_tracked_file_under_the_folder_is_dirty(repo):
    (repo / "pkg" / "model.py").write_text("WIDTH = 5\n")
    commit, dirty = git_state(repo / "pkg")
    assert commit == _git(repo, "rev-parse", "HEAD") and dirty is True


def test_new_files_and_changes_elsewhere_are_not_dirty(repo):
    (repo / "pkg" / "scratch.py").write_text("x = 1\n")  # untracked
    (repo / "notes.txt").write_text("edited outside the package\n")
    assert git_state(repo / "pkg")[1] is False


def test_outside_a_repository_there_is_no_commit(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    (tmp_path / "plain").mkdir()
    assert git_state(tmp_path / "plain") == (None, None)


def test_code_version_names_the_package_and_its_checkout():
    version = code_version()
    assert version["nlptransfer"] == nlptransfer.__version__
    assert version["commit"] == git_state(PACKAGE_DIR)[0]
