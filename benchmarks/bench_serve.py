"""Load benchmark of ``nlptransfer serve``: requests per second and latency under concurrent clients.

What it measures, for each ``--backend`` (torch, onnx; a backend this install lacks is skipped
and said so):

1. The server is started as users start it (``nlptransfer serve FOLDER --port P`` in a
   subprocess, on loopback) and waited for on ``GET /health``.
2. Correctness first: the server's predictions for 200 SST-2 dev sentences are compared with
   ``load_classifier(FOLDER).predict`` in this process (same labels; probabilities within 1e-5
   for torch, 1e-4 for onnx): a speed is never reported for a wrong server.
3. ``--warmup`` requests, then, for 1, 8 and 32 concurrent clients (``--concurrency``), a fixed
   number of requests (``--requests``), each ``POST /predict`` with ``--texts`` SST-2 dev
   sentences (cycled), repeated ``--rounds`` times, the backends' servers all up and taking
   turns within each round: wall time, requests per second, texts per second, and each request's
   latency (p50, p90, p99, max), measured by the client from sending to the parsed answer.
4. The server's resident memory (``VmRSS``, and its peak ``VmHWM``) after the run.

The clients are one asyncio process (httpx, one connection per client) on the same machine as the
server: on a small machine they compete with it for the CPU, which is part of what is measured.

The model folder is ``--model``, or else one trained once into ``--workdir`` (Kim's CNN on the
SST-2 sentences with GloVe 6B 50d, 3 epochs: a typical small classifier).

Usage:
    .venv/bin/python benchmarks/bench_serve.py [--backend torch onnx] [--requests 300] [--rounds 3]
        [--concurrency 1 8 32] [--texts 1] [--model FOLDER] [--out benchmarks/results/serve.md]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import shlex
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
import numpy as np

logger = logging.getLogger("bench_serve")

ROOT = Path(__file__).resolve().parent.parent
KIM = ROOT.parent / "shared" / "data" / "kim2014"
#: How far the server's probabilities may be from the same backend run in this process.
TOLERANCE = 1e-5


def read_kim(path: Path) -> tuple[list[str], list[int]]:
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        label, text = line.split(" ", 1)
        texts.append(text)
        labels.append(int(label))
    return texts, labels


def model_folder(args: argparse.Namespace) -> Path:
    """``--model``, or Kim's CNN on SST-2 trained once into ``--workdir``."""
    if args.model is not None:
        return args.model
    folder = args.workdir / "sst2-cnn"
    if (folder / "config.json").is_file():
        return folder
    from nlptransfer import load_vectors
    from nlptransfer.train.classify import train_classifier
    from nlptransfer.train.trainer import TrainConfig

    logger.info("training the benchmark's model into %s", folder)
    train_classifier(
        read_kim(KIM / "stsa.binary.train"),
        label_names=["negative", "positive"],
        vectors=load_vectors("glove-6b-50d"),
        dev=read_kim(KIM / "stsa.binary.dev"),
        test=read_kim(KIM / "stsa.binary.test"),
        model="cnn",
        mode="finetune",
        tokenizer="whitespace",
        train_config=TrainConfig(epochs=3, seed=0, progress=False),
        out=folder,
        info={"dataset": {"name": "sst2"}},
    )
    return folder


def backend_available(backend: str, folder: Path) -> str | None:
    """Why ``backend`` cannot be served here, or ``None``; an ONNX backend's file is exported
    into ``folder`` first when it is missing (``nlptransfer export``)."""
    from nlptransfer.deploy.backends import PREDICTOR_BACKENDS

    if backend == "torch":
        return None
    if backend not in PREDICTOR_BACKENDS:
        return f"no predictor backend {backend!r} in this nlptransfer"
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return "onnxruntime is not installed"
    quantize = "int8" if backend == "onnx-int8" else None
    if not (folder / ("model.int8.onnx" if quantize else "model.onnx")).is_file():
        from nlptransfer.deploy.onnx_export import export_onnx
        from nlptransfer.train.model_folder import load_classifier

        export_onnx(load_classifier(folder), folder, quantize=quantize)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``nlptransfer serve`` in a subprocess."""

    def __init__(self, folder: Path, backend: str, log: Path, max_batch: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(
            os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
        )
        self.args = [
            "serve", str(folder), "--port", str(self.port), "--backend", backend,
            "--max-batch", str(max_batch),
        ]  # fmt: skip
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from nlptransfer.cli.main import main; main()", *self.args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        end = time.monotonic() + 300
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{log.read_text()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not start:\n{log.read_text()}")

    def memory_mib(self) -> dict[str, float]:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return {key: int(fields[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM")}

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def check_predictions(url: str, folder: Path, backend: str, texts: list[str]) -> dict[str, Any]:
    from nlptransfer import load_classifier

    local = load_classifier(folder, backend=backend)  # the same backend, the same batches of 50
    # (int8's dynamic quantization scales activations per batch, so its outputs depend on it)
    expected = [
        p for start in range(0, len(texts), 50) for p in local.predict(texts[start : start + 50])
    ]
    got: list[dict[str, Any]] = []
    for start in range(0, len(texts), 50):
        answer = httpx.post(f"{url}/predict", json={"texts": texts[start : start + 50]}, timeout=60)
        answer.raise_for_status()
        got += answer.json()["predictions"]
    labels_agree = sum(g["label"] == e.label for g, e in zip(got, expected, strict=True))
    worst = max(
        abs(g["probabilities"][name] - p)
        for g, e in zip(got, expected, strict=True)
        for name, p in e.probabilities.items()
    )
    if labels_agree != len(texts) or worst > TOLERANCE:
        raise AssertionError(
            f"{backend}: the server's predictions differ from load_classifier's: {labels_agree} "
            f"of {len(texts)} labels agree, probabilities differ by up to {worst:.2e}"
        )
    return {"texts": len(texts), "labels_agree": labels_agree, "max_probability_diff": worst}


async def load(
    url: str, texts: list[str], *, requests: int, clients: int, per_request: int
) -> tuple[float, list[float], int]:
    """``requests`` POST /predict from ``clients`` concurrent clients: the wall time (s), each
    request's latency (ms) and the number that failed."""
    bodies = [
        json.dumps(
            {"texts": [texts[(i * per_request + j) % len(texts)] for j in range(per_request)]}
        )
        for i in range(requests)
    ]
    latencies: list[float] = []
    failures = 0
    queue = iter(range(requests))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as client:

        async def one_client() -> None:
            nonlocal failures
            for i in queue:  # shared: each request is taken by exactly one client
                start = time.perf_counter()
                answer = await client.post(
                    "/predict", content=bodies[i], headers={"content-type": "application/json"}
                )
                if answer.status_code != 200 or len(answer.json()["predictions"]) != per_request:
                    failures += 1
                latencies.append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        wall = time.perf_counter() - start
    return wall, latencies, failures


def summary(
    clients: int, per_request: int, walls: list[float], latencies: list[float], failures: int
) -> dict[str, Any]:
    """One row: every round's requests together (rates over the summed wall time)."""
    ms = np.asarray(latencies)
    wall = sum(walls)
    return {
        "clients": clients,
        "requests": len(latencies),
        "rounds": len(walls),
        "texts_per_request": per_request,
        "failures": failures,
        "wall_s": round(wall, 3),
        "requests_per_s": round(len(latencies) / wall, 1),
        "requests_per_s_by_round": [round(len(latencies) / len(walls) / w, 1) for w in walls],
        "texts_per_s": round(len(latencies) * per_request / wall, 1),
        "latency_ms": {
            "p50": round(float(np.percentile(ms, 50)), 2),
            "p90": round(float(np.percentile(ms, 90)), 2),
            "p99": round(float(np.percentile(ms, 99)), 2),
            "max": round(float(ms.max()), 2),
            "mean": round(float(ms.mean()), 2),
        },
    }


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# `nlptransfer serve` under load",
        "",
        f"Command: `{results['command']}`",
        "",
        f"Model: {results['model']}. Each request: `POST /predict` with "
        f"{results['texts_per_request']} SST-2 dev sentence(s); {results['requests']} requests "
        f"per row and round, {results['rounds']} rounds interleaving the backends (rates over "
        "the rounds' summed time, latencies of every request), after "
        f"{results['warmup']} warm-up requests; clients: one asyncio process (httpx, a "
        "connection per client) on the same machine as the server, over loopback.",
        "",
        "| backend | clients | requests/s | texts/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | failures |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for backend, runs in results["backends"].items():
        if "skipped" in runs:
            lines.append(f"| {backend} | skipped: {runs['skipped']} |||||||||")
            continue
        for row in runs["runs"]:
            lat = row["latency_ms"]
            lines.append(
                f"| {backend} | {row['clients']} | {row['requests_per_s']} | {row['texts_per_s']} | "
                f"{lat['p50']} | {lat['p90']} | {lat['p99']} | {lat['max']} | {row['failures']} |"
            )
    lines += [
        "",
        "| backend | server RSS after (MiB) | server peak RSS (MiB) | checked |",
        "|---|---:|---:|---|",
    ]
    for backend, runs in results["backends"].items():
        if "skipped" not in runs:
            mem, check = runs["memory_mib"], runs["check"]
            lines.append(
                f"| {backend} | {mem['VmRSS']:.0f} | {mem['VmHWM']:.0f} | {check['labels_agree']}/"
                f"{check['texts']} labels as load_classifier(backend=...) here, probabilities within "
                f"{check['max_probability_diff']:.1e} |"
            )
    lines += [
        "",
        f"Measured {results['date']} on {results['machine']}; {results['versions']}. "
        f"Load average (1 min) {results['load_average_before']} before the run, "
        f"{results['load_average_after']} after it.",
        "",
        results["note"],
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", nargs="+", default=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--requests", type=int, default=300, help="requests a row and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--texts", type=int, default=1, help="texts a request")
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / ".work")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "serve.md")
    parser.add_argument(
        "--note",
        default="The machine was shared with other jobs while this ran (8 sessions on 2 cores): "
        "absolute numbers are low and noisy; compare backends within this table only.",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    args.workdir.mkdir(parents=True, exist_ok=True)
    folder = model_folder(args)
    texts, _ = read_kim(KIM / "stsa.binary.dev")
    config = json.loads((folder / "config.json").read_text())
    results: dict[str, Any] = {
        "command": shlex.join(["python", "benchmarks/bench_serve.py", *sys.argv[1:]]),
        "model": f"{config['classifier']['name']} ({config['embedding']['mode']}, "
        f"{config['embedding']['rows']:,} x {config['embedding']['dim']} embeddings), "
        f"{folder.name}",
        "requests": args.requests,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "texts_per_request": args.texts,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": ", ".join(
            f"{name} {version(name)}"
            for name in ("torch", "onnxruntime", "fastapi", "uvicorn", "httpx")
            if _installed(name)
        ),
        "note": args.note,
        "load_average_before": round(os.getloadavg()[0], 2),
        "backends": {},
    }
    servers: dict[str, Server] = {}
    try:
        for backend in args.backend:
            why = backend_available(backend, folder)
            if why is not None:
                logger.warning("%s: skipped (%s)", backend, why)
                results["backends"][backend] = {"skipped": why}
                continue
            log = args.workdir / f"serve-{backend}.log"
            servers[backend] = server = Server(folder, backend, log, max(args.texts, 50))
            check = check_predictions(server.url, folder, backend, texts[:200])
            results["backends"][backend] = {"check": check}
            asyncio.run(
                load(server.url, texts, requests=args.warmup, clients=4, per_request=args.texts)
            )
        # Rounds interleave the backends (every server is up the whole time, idle between its
        # turns), so that a busy spell of a shared machine falls on all of them alike.
        measured: dict[tuple[str, int], tuple[list[float], list[float], list[int]]] = {}
        for round_ in range(args.rounds):
            for clients in args.concurrency:
                for backend, server in servers.items():
                    wall, latencies, failures = asyncio.run(
                        load(
                            server.url,
                            texts,
                            requests=args.requests,
                            clients=clients,
                            per_request=args.texts,
                        )
                    )
                    walls, all_latencies, all_failures = measured.setdefault(
                        (backend, clients), ([], [], [])
                    )
                    walls.append(wall)
                    all_latencies += latencies
                    all_failures.append(failures)
                    logger.info(
                        "round %d, %s, %d clients: %.1f requests/s",
                        round_ + 1,
                        backend,
                        clients,
                        args.requests / wall,
                    )
        for backend, server in servers.items():
            results["backends"][backend]["runs"] = [
                summary(
                    clients,
                    args.texts,
                    measured[backend, clients][0],
                    measured[backend, clients][1],
                    sum(measured[backend, clients][2]),
                )
                for clients in args.concurrency
            ]
            results["backends"][backend]["memory_mib"] = server.memory_mib()
    finally:
        for server in servers.values():
            server.stop()
    results["load_average_after"] = round(os.getloadavg()[0], 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
    args.out.write_text(markdown(results))
    print(markdown(results))


def _installed(name: str) -> bool:
    try:
        version(name)
    except Exception:
        return False
    return True


if __name__ == "__main__":
    main()
