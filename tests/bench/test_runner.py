"""Running real grids: records, resume after kill -9, the process pool and Ray."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time

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
