"""When progress bars are drawn: where someone watches (a terminal, Jupyter), never in logs."""

from __future__ import annotations

import io
import os
import sys
import types

import pytest

from nlptransfer._util.progress import progress_enabled


@pytest.fixture
def not_quiet(monkeypatch):
    monkeypatch.delenv("NLPTRANSFER_QUIET", raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)


@pytest.fixture
def terminal():
    """The slave side of a real pseudo-terminal, opened for writing.

    Tests set it as ``sys.stderr`` themselves: pytest's output capture puts its own stream back
    between a fixture's setup and the test.
    """
    master, slave = os.openpty()
    stream = os.fdopen(slave, "w")
    yield stream
    stream.close()
    os.close(master)


def test_an_explicit_choice_wins(not_quiet, monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert progress_enabled(True) is True
    monkeypatch.setenv("NLPTRANSFER_QUIET", "1")
    assert progress_enabled(True) is True
    assert progress_enabled(False) is False


@pytest.mark.usefixtures("not_quiet")
def test_bars_are_drawn_on_a_terminal(terminal, monkeypatch):
    monkeypatch.setattr(sys, "stderr", terminal)
    assert progress_enabled(None) is True


@pytest.mark.usefixtures("not_quiet")
@pytest.mark.parametrize("quiet", ["1", "yes"])
def test_quiet_turns_them_off_even_on_a_terminal(terminal, monkeypatch, quiet):
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setenv("NLPTRANSFER_QUIET", quiet)
    assert progress_enabled(None) is False


@pytest.mark.usefixtures("not_quiet")
def test_quiet_set_to_0_is_not_quiet(terminal, monkeypatch):
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setenv("NLPTRANSFER_QUIET", "0")
    assert progress_enabled(None) is True


@pytest.mark.usefixtures("not_quiet")
def test_no_bars_when_stderr_is_a_file_or_a_pipe(monkeypatch, tmp_path):
    with open(tmp_path / "log.txt", "w") as log:
        monkeypatch.setattr(sys, "stderr", log)
        assert progress_enabled(None) is False
    read, write = os.pipe()
    with os.fdopen(write, "w") as pipe:
        monkeypatch.setattr(sys, "stderr", pipe)
        assert progress_enabled(None) is False
    os.close(read)


@pytest.mark.usefixtures("not_quiet")
def test_a_closed_or_missing_stderr_means_no_bars(monkeypatch):
    closed = io.StringIO()
    closed.close()
    monkeypatch.setattr(sys, "stderr", closed)
    assert progress_enabled(None) is False
    monkeypatch.setattr(sys, "stderr", None)
    assert progress_enabled(None) is False


@pytest.mark.usefixtures("not_quiet")
def test_a_jupyter_kernel_gets_bars(monkeypatch):
    # A stand-in module: Jupyter cannot run in the test, and only the module's presence is read.
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    assert progress_enabled(None) is True
