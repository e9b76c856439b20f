"""The results file survives crashes: torn lines are skipped, later appends stay readable."""

from __future__ import annotations

import json
import multiprocessing

from nlptransfer.bench.results import ResultsStore


def test_torn_last_line_is_skipped_and_next_append_is_clean(tmp_path, caplog):
    store = ResultsStore(tmp_path)
    store.append({"run_id": "a", "x": 1})
    with open(store.path, "ab") as f:  # a crash in the middle of a write
        f.write(b'{"run_id": "b", "x": ')
    assert store.finished_ids() == {"a"}
    assert "incomplete record" in caplog.text
    store.append({"run_id": "c", "x": 3})
    assert [r["run_id"] for r in store.records()] == ["a", "c"]
    assert store.path.read_bytes().endswith(b"\n")


def _writer(folder, start):
    store = ResultsStore(folder)
    for i in range(start, start + 50):
        store.append({"run_id": f"r{i}", "payload": "x" * 2000})


def test_concurrent_appends_never_interleave(tmp_path):
    procs = [multiprocessing.Process(target=_writer, args=(tmp_path, k * 100)) for k in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    lines = ResultsStore(tmp_path).path.read_bytes().splitlines()
    assert len(lines) == 150
    assert len({json.loads(line)["run_id"] for line in lines}) == 150


def test_reading_a_folder_that_does_not_exist_creates_nothing(tmp_path):
    store = ResultsStore(tmp_path / "not" / "yet")
    assert list(store.records()) == [] and store.finished_ids() == set()
    assert not (tmp_path / "not").exists()
    store.append({"run_id": "a"})  # the first record makes the folder
    assert [r["run_id"] for r in store.records()] == ["a"]
