"""One bench per results folder and no worker without its bench, with real processes: a second
bench is refused naming the first; a lock left by a process killed with -9 is taken over; a
worker dies with its parent (prctl, or the pid-watching thread)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

import pytest

from nlptransfer.bench.lock import GridLock, GridLockedError

HOLD = (
    "import sys, time\n"
    "from nlptransfer.bench.lock import GridLock\n"
    "GridLock(sys.argv[1]).acquire()\n"
    "print('held', flush=True)\n"
    "time.sleep(120)\n"
)


@pytest.fixture
def holder(tmp_path):
    """Another process holding the lock of ``tmp_path / "out"``."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / "out")], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_a_second_process_is_refused_naming_the_holder(tmp_path, holder):
    with pytest.raises(
        GridLockedError, match=f"is being run by another process \\(pid {holder.pid} on "
    ):
        GridLock(tmp_path / "out").acquire()


def test_a_second_bench_on_the_same_out_exits_before_writing_anything(
    tmp_path, holder, shared_data
):
    config = tmp_path / "grid.yaml"
    config.write_text(
        "name: g\ndatasets: [sst2]\nvectors: [glove-6b-50d]\nmodels: [tfidf-lr]\nseeds: [0]\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "nlptransfer", "bench", str(config), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "NLPTRANSFER_QUIET": "1",
            "NLPTRANSFER_DATA": str(shared_data),  # the inputs are checked (read) first
            "NLPTRANSFER_OFFLINE": "1",
        },
    )
    assert done.returncode == 1
    assert f"is being run by another process (pid {holder.pid} on " in done.stderr
    assert "or give another --out" in done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".lock"]


def test_the_lock_of_a_killed_process_is_taken_over(tmp_path, holder, caplog):
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    caplog.set_level(logging.WARNING, logger="nlptransfer.bench.lock")
    lock = GridLock(tmp_path / "out").acquire()
    try:
        assert lock.holder()["pid"] == os.getpid()
        assert f"taking over the lock left by pid {holder.pid} on " in caplog.text
    finally:
        lock.release()
    assert not lock.path.exists()  # released: the next one finds nothing stale
    with GridLock(tmp_path / "out"):
        pass
    assert caplog.text.count("taking over") == 1  # the second time there was nothing stale


def test_the_lock_is_held_while_a_grid_runs(tmp_path):
    from nlptransfer.bench.results import ResultsStore
    from nlptransfer.bench.runner import run_grid

    with GridLock(tmp_path), pytest.raises(GridLockedError):
        run_grid([], ResultsStore(tmp_path), progress=False)
    assert run_grid([], ResultsStore(tmp_path), progress=False) == []
    assert not (tmp_path / ".lock").exists()  # released when the grid is done


CHILD = (
    "import os, sys, time\n"
    "from nlptransfer.bench.runner import die_with_parent\n"
    "if sys.argv[1] == 'watch':\n"
    "    sys.platform = 'darwin'  # no prctl: the fallback, a thread watching the parent's pid\n"
    "print(die_with_parent(os.getppid(), poll_seconds=0.1), flush=True)\n"
    "time.sleep(120)\n"
)
PARENT = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', sys.argv[1], sys.argv[2]], stdout=subprocess.PIPE, text=True)\n"
    "print(child.pid, child.stdout.readline().strip(), flush=True)\n"
    "time.sleep(120)\n"
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl and /proc are Linux's")
@pytest.mark.parametrize("way", ["prctl", "watch"])
def test_a_worker_dies_with_its_parent(way):
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, CHILD, way], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    pid, mode = parent.stdout.readline().split()
    child = int(pid)
    try:
        assert mode == way
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _alive(child):
            time.sleep(0.05)
        assert not _alive(child)
    finally:
        if _alive(child):
            os.kill(child, signal.SIGKILL)


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
