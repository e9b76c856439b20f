"""Running real grids: records, resume after kill -9, the process pool and Ray."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import nlptransfer
from nlptransfer.bench.grid import expand_grid
from nlptransfer.bench.provenance import code_version
from nlptransfer.bench.report import write_report
from nlptransfer.bench.results import ResultsStore
from nlptransfer.bench.runner import run_grid
from nlptransfer.bench.schema import parse_bench_config
from nlptransfer.errors import DatasetError, VectorsNotFoundError

GRID = """\
name: tiny
datasets: [sst2]
vectors: [glove-6b-50d]
models: [nbow]
modes: [random, frozen, finetune]
seeds: [0, 1]
max_train_examples: 300
tokenizer: {name: whitespace}
train: {epochs: 2, optimizer: adam, lr: 0.01, batch_size: 50}
"""


@pytest.fixture
def data_env(shared_data, monkeypatch):
    monkeypatch.setenv("NLPTRANSFER_DATA", str(shared_data))
    monkeypatch.setenv("NLPTRANSFER_OFFLINE", "1")
    return shared_data


def _gold(split, name="sst2"):
    from nlptransfer.data import load_dataset

    return list(load_dataset(name)[split]["label"])


def test_local_run_writes_complete_records(tmp_path, data_env):
    runs = expand_grid(parse_bench_config(GRID))
    store = ResultsStore(tmp_path)
    records = run_grid(runs, store, progress=False)
    assert len(records) == 6 == len(list(store.records()))
    first = records[0]
    assert first["train_examples"] == 300 and first["label_names"] == ["negative", "positive"]
    assert 0 <= first["metrics"]["test"]["accuracy"] <= 1
    assert first["timings"]["train_seconds"] > 0 and first["peak_memory_mb"] > 0
    assert first["environment"]["nlptransfer"] == nlptransfer.__version__
    assert first["environment"]["commit"] == code_version()["commit"]
    frozen = next(r for r in records if r["mode"] == "frozen")
    tuned = next(r for r in records if r["mode"] == "finetune")
    assert frozen["trainable_parameters"] < tuned["trainable_parameters"]  # embedding excluded
    # vectors are loaded once per process: only the first run pays for them, and every run
    # carries how long that load took
    # (another test in this process may have loaded them already)
    assert sum(r["timings"]["vectors_loaded_by_this_run"] for r in records) <= 1
    assert not any(r["timings"]["vectors_loaded_by_this_run"] for r in records[1:])
    assert len({r["timings"]["vectors_load_seconds"] for r in records}) == 1
    assert records[0]["timings"]["vectors_load_seconds"] > 0
    # each record keeps its per-example predictions, and they give the recorded metrics
    for r in records:
        for split in ("dev", "test"):
            predicted = r["predictions"][split]
            gold = _gold(split)
            assert len(predicted) == len(gold)
            correct = sum(p == g for p, g in zip(predicted, gold, strict=True))
            assert correct / len(gold) == pytest.approx(r["metrics"][split]["accuracy"])
    assert run_grid(runs, store, progress=False) == []  # resume: nothing left to do
    with pytest.raises(FileExistsError, match="--resume"):
        run_grid(runs, store, resume=False, progress=False)


def test_kill_9_loses_only_runs_in_flight(tmp_path, data_env):
    config = tmp_path / "grid.yaml"
    config.write_text(GRID.replace("seeds: [0, 1]", "seeds: [0, 1, 2]"))
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "nlptransfer",
        "--quiet",
        "bench",
        str(config),
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(
        command, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    results = out / "runs.jsonl"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if results.exists() and len(results.read_bytes().splitlines()) >= 2:
            break
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = [json.loads(line) for line in results.read_bytes().splitlines()]
    assert 2 <= len(before) < 9
    subprocess.run(
        command,
        check=True,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    after = list(ResultsStore(out).records())
    assert len(after) == 9 and len({r["run_id"] for r in after}) == 9
    # runs finished before the kill were not redone
    assert [r["finished_at"] for r in after[: len(before)]] == [r["finished_at"] for r in before]
    assert (out / "report.md").exists() and (out / "plots").is_dir()


def test_a_mode_variant_trains_its_mode_with_its_own_options(tmp_path, data_env):
    grid = GRID.replace(
        "modes: [random, frozen, finetune]",
        "modes: [frozen, finetune, {name: late, mode: finetune, embedding: {unfreeze_at: 5}}]",
    ).replace("seeds: [0, 1]", "seeds: [0]")
    store = ResultsStore(tmp_path)
    records = run_grid(expand_grid(parse_bench_config(grid)), store, progress=False)
    by_arm = {r["variant"] or r["mode"]: r for r in records}
    assert by_arm["late"]["mode"] == "finetune" and by_arm["late"]["embedding"]["unfreeze_at"] == 5
    # to be unfrozen at epoch 5 of 2: its embedding never trained, as if frozen
    trainable = {arm: r["trainable_parameters"] for arm, r in by_arm.items()}
    assert trainable["late"] == trainable["frozen"] < trainable["finetune"]
    report = write_report(tmp_path).read_text()
    assert "| late − finetune |" in report and "| late − frozen |" in report


def test_process_pool(tmp_path, data_env, capfd, monkeypatch):
    monkeypatch.setattr(logging.getLogger(), "level", logging.INFO)
    runs = expand_grid(parse_bench_config(GRID))[:4]
    records = run_grid(runs, ResultsStore(tmp_path), jobs=2, progress=False)
    assert sorted(r["run_id"] for r in records) == sorted(r.run_id for r in runs)
    # the workers log at the parent's level, each line naming its process
    err = capfd.readouterr().err
    assert err.count("nlptransfer.bench.runner [SpawnProcess-") == 4  # "started ..." per run
    assert "started sst2 nbow frozen seed 0" in err
    assert "nlptransfer.train.trainer [SpawnProcess-" in err and "epoch 2:" in err


def test_ray_local_instance(tmp_path, data_env):
    pytest.importorskip(
        "ray", reason="the Ray executor is an optional extra: pip install nlptransfer[ray]"
    )
    runs = expand_grid(parse_bench_config(GRID))[:2]
    records = run_grid(runs, ResultsStore(tmp_path), jobs=2, executor="ray", progress=False)
    assert sorted(r["run_id"] for r in records) == sorted(r.run_id for r in runs)
    assert all(r["metrics"]["test"]["accuracy"] > 0 for r in records)


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="unknown executor 'dask'"):
        run_grid([], ResultsStore(tmp_path), executor="dask")
    with pytest.raises(ValueError, match="jobs must be >= 1"):
        run_grid([], ResultsStore(tmp_path), jobs=0)


def test_a_missing_input_stops_the_grid_before_its_first_run(tmp_path, data_env):
    beside = tmp_path / "vectors"
    beside.mkdir()
    (beside / "mine.ntv").mkdir()  # what Vectors.save("mine") writes
    missing = GRID.replace("vectors: [glove-6b-50d]", f"vectors: [glove-6b-50d, {beside}/mine]")
    store = ResultsStore(tmp_path / "out")
    with pytest.raises(VectorsNotFoundError, match=r"mine \(beside it: mine\.ntv\)"):
        run_grid(expand_grid(parse_bench_config(missing)), store, progress=False)
    assert list(store.records()) == []  # not even the glove-6b-50d runs started

    no_file = GRID.replace(
        "datasets: [sst2]", f"datasets: [{{name: mine, train_file: {tmp_path}/train.csv}}]"
    )
    with pytest.raises(DatasetError, match=r"dataset 'mine': train_file .*train\.csv does not"):
        run_grid(expand_grid(parse_bench_config(no_file)), store, progress=False)
    with pytest.raises(VectorsNotFoundError, match="known names"):
        run_grid(
            expand_grid(parse_bench_config(GRID.replace("glove-6b-50d", "glove-6b-51d"))),
            store,
            progress=False,
        )


def test_token_vectors_runs_split_with_their_own_tokenizer(tmp_path, data_env):
    """WordLlama's runs use its tokenizer, GloVe's the grid's; ``vectors_tokenizer: false``
    gives WordLlama the grid's too."""
    from tests.static_models import wordllama_files

    wordllama_files()  # skips without the wordllama extra
    grid = GRID.replace("[glove-6b-50d]", "[glove-6b-50d, wordllama-l2-256]")
    grid = grid.replace("modes: [random, frozen, finetune]", "modes: [frozen]")
    grid = grid.replace("seeds: [0, 1]", "seeds: [0]").replace("epochs: 2", "epochs: 1")
    records = run_grid(
        expand_grid(parse_bench_config(grid)), ResultsStore(tmp_path / "own"), progress=False
    )
    used = {r["vectors"]: r["tokenizer_used"] for r in records}
    assert used["glove-6b-50d"]["name"] == "whitespace" and used["wordllama-l2-256"]["name"] == "hf"
    wordllama = next(r for r in records if r["vectors"] == "wordllama-l2-256")
    assert wordllama["pretrained_rows"] == wordllama["vocab_size"] - 1  # all but padding

    grid = grid.replace("{name: whitespace}", "{name: whitespace, vectors_tokenizer: false}")
    records = run_grid(
        expand_grid(parse_bench_config(grid)), ResultsStore(tmp_path / "grid"), progress=False
    )
    assert {r["tokenizer_used"]["name"] for r in records} == {"whitespace"}


BASELINES_GRID = """\
name: baselines
datasets: [sst2]
vectors: [glove-6b-50d]
models: [nbow, tfidf-lr, vectors-lr{fasttext}]
modes: [random, frozen]
seeds: [0]
max_train_examples: 300
tokenizer: {{name: whitespace}}
train: {{epochs: 1, optimizer: adam, lr: 0.01, batch_size: 50}}
model_options: {{fasttext: {{bucket: 100000}}}}
"""


def test_baselines_run_beside_a_neural_model_with_the_same_record(
    tmp_path, data_env, caplog, monkeypatch
):
    from importlib.util import find_spec

    with_fasttext = find_spec("fasttext") is not None
    grid = BASELINES_GRID.format(fasttext=", fasttext" if with_fasttext else "")
    runs = expand_grid(parse_bench_config(grid))
    caplog.set_level(logging.INFO, logger="nlptransfer.bench.runner")
    records = run_grid(runs, ResultsStore(tmp_path), progress=False)
    by_system = {(r["model"], r["mode"]): r for r in records}
    expected = {
        ("nbow", "random"),
        ("nbow", "frozen"),
        ("tfidf-lr", "none"),
        ("vectors-lr", "frozen"),
    }
    assert set(by_system) == expected | ({("fasttext", "random")} if with_fasttext else set())
    neural = by_system["nbow", "frozen"]
    assert {r["system"] for r in records} == {
        "nbow-random",
        "nbow-frozen",
        "tfidf-lr",
        "vectors-lr",
    } | ({"fasttext"} if with_fasttext else set())
    for (model, _mode), record in by_system.items():
        # the same record whatever the model (a baseline adds what it chose while training)
        assert set(record) - {"baseline"} == set(neural), model
        assert record["train_examples"] == 300 and record["label_names"] == neural["label_names"]
        for split in ("dev", "test"):
            predicted, gold = record["predictions"][split], _gold(split)
            correct = sum(p == g for p, g in zip(predicted, gold, strict=True))
            assert correct / len(gold) == pytest.approx(record["metrics"][split]["accuracy"])
            assert set(record["metrics"][split]) == {"accuracy", "macro_f1", "confusion_matrix"}
        assert record["timings"]["train_seconds"] > 0 and record["trainable_parameters"] > 0
    tfidf = by_system["tfidf-lr", "none"]
    assert tfidf["vectors"] is None and tfidf["timings"]["vectors_load_seconds"] is None
    assert tfidf["tokenizer_used"] is None and tfidf["baseline"]["C"] > 0
    assert tfidf["metrics"]["test"]["accuracy"] > 0.6
    assert by_system["vectors-lr", "frozen"]["vectors"] == "glove-6b-50d"
    assert by_system["vectors-lr", "frozen"]["timings"]["vectors_load_seconds"] > 0
    # a line per finished run, with k/N and the ETA of the rest
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("[")]
    assert [line.split()[0] for line in lines] == [
        f"[{k}/{len(runs)}]" for k in range(1, len(runs) + 1)
    ]
    assert "sst2 tfidf-lr seed 0: test accuracy" in "\n".join(lines)
    assert "ETA " in lines[0] and lines[-1].endswith("0 left, done")
    report = write_report(tmp_path).read_text()
    assert (
        "| dataset | vectors | model | mode | training fraction | training examples | runs |"
        in report
    )
    assert "| sst2 | - | tfidf-lr | none | 1 | 300 | 1 |" in report


def _spawned_children(parent):
    """The pids of ``parent``'s multiprocessing workers (read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == parent and b"spawn_main" in cmdline:
            found.append(int(stat.parent.name))
    return found


def _alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_pool_workers_die_with_a_killed_bench(tmp_path, data_env):
    """kill -9 of `nlptransfer bench --jobs 2` mid-run: its workers end within seconds, not
    when their (long) runs would have finished."""
    config = tmp_path / "grid.yaml"
    config.write_text(
        GRID.replace("max_train_examples: 300", "max_train_examples: 6000").replace(
            "epochs: 2", "epochs: 50"
        )
    )
    log = tmp_path / "bench.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "nlptransfer",
                "bench",
                str(config),
                "--out",
                str(tmp_path / "o"),
                "--jobs",
                "2",
            ],
            env={**os.environ, "NLPTRANSFER_QUIET": "1"},
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and log.read_text().count("started sst2") < 2:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.2)
        workers = _spawned_children(proc.pid)
        assert len(workers) == 2, log.read_text()
        time.sleep(1)  # both inside their runs' training
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(map(_alive, workers)):
            time.sleep(0.1)
        assert not any(map(_alive, workers)), "pool workers outlived the killed bench"
        assert not (tmp_path / "o" / "runs.jsonl").exists()  # no run had finished: they were long
    finally:
        for pid in workers:  # the workers this test started, if the fix failed
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
