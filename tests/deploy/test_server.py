"""``nlptransfer serve`` as users run it: the real command in a subprocess, on a free loopback
port, spoken to over HTTP; every bad request gets its 4xx and the server keeps answering."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from nlptransfer import load_classifier
from tests.conftest import REPO, skip_unless_installed

LIMITS = {"max_batch": 8, "max_text_chars": 300, "max_body_bytes": 4_000}
GOOD = ["a gorgeous , witty , seductive movie .", "the plot is paper-thin and the acting dull ."]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from nlptransfer.cli.main import main; main()", *args]


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return env


class Served:
    """A ``nlptransfer serve`` process and the client that talks to it."""

    def __init__(self, args: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command("serve", *args, "--port", str(self.port)),
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env or environment(),
            )
        self.client = httpx.Client(base_url=self.url, timeout=30)
        self._wait_until_up()

    def _wait_until_up(self, timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited ({self.process.returncode}):\n{self.output()}")
            try:
                if self.client.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        pytest.fail(f"the server did not answer /health in {timeout}s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        self.client.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def server(tiny_model, tmp_path_factory):
    limits = [f"--{name.replace('_', '-')}={value}" for name, value in LIMITS.items()]
    served = Served([str(tiny_model), *limits], tmp_path_factory.mktemp("log") / "serve.log")
    yield served
    served.stop()


@pytest.fixture(scope="module")
def pipeline(tiny_model):
    return load_classifier(tiny_model)


def assert_serves_correctly(server, pipeline, tolerance: float = 1e-6) -> None:
    answer = server.client.post("/predict", json={"texts": GOOD})
    assert answer.status_code == 200, answer.text
    expected = pipeline.predict(GOOD)
    got = answer.json()["predictions"]
    assert [p["label"] for p in got] == [p.label for p in expected]
    for served, local in zip(got, expected, strict=True):
        assert served["probability"] == pytest.approx(local.probability, abs=tolerance)
        assert served["probabilities"] == pytest.approx(local.probabilities, abs=tolerance)


def test_binds_to_loopback_by_default(server):
    assert f"Uvicorn running on http://127.0.0.1:{server.port}" in server.output()


def test_health(server, pipeline):
    answer = server.client.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "backend": "torch", "labels": pipeline.label_names}


def test_predict_answers_what_the_folder_predicts_in_order(server, pipeline):
    assert_serves_correctly(server, pipeline)
    one = server.client.post("/predict", json={"texts": GOOD[1:]}).json()["predictions"]
    assert one[0]["label"] == pipeline.predict(GOOD[1])[0].label
    assert set(one[0]["probabilities"]) == set(pipeline.label_names)


def test_a_full_batch_of_the_longest_texts_is_accepted(server):
    text = ("good " * 60)[: LIMITS["max_text_chars"]]
    answer = server.client.post("/predict", json={"texts": [text] * LIMITS["max_batch"]})
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["predictions"]) == LIMITS["max_batch"]


def test_non_ascii_text_is_classified(server):
    answer = server.client.post("/predict", json={"texts": ["un film magnifique, très réussi ✨"]})
    assert answer.status_code == 200, answer.text


def test_root_is_the_model_card(server, tiny_model):
    answer = server.client.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/markdown")
    assert answer.text == (tiny_model / "README.md").read_text(encoding="utf-8")
    assert "library_name: nlptransfer" in answer.text


def test_openapi_docs(server):
    docs = server.client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    spec = server.client.get("/openapi.json").json()
    body = spec["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["properties"]["texts"]["type"] == "array"
    assert {"/", "/health", "/predict"} <= set(spec["paths"])


def _json(value) -> bytes:
    return json.dumps(value).encode()


BAD_REQUESTS = {
    # name: (body, status, words the message holds)
    "missing-texts": (_json({}), 422, 'expected a "texts" field'),
    "texts-not-a-list": (_json({"texts": "good film"}), 422, "found a string"),
    "texts-null": (_json({"texts": None}), 422, "found null"),
    "text-not-a-string": (_json({"texts": ["good", 3]}), 422, "texts[1]: expected a string"),
    "text-a-list": (_json({"texts": [["good"]]}), 422, "texts[0]: expected a string, found a list"),
    "empty-text": (_json({"texts": ["good", ""]}), 422, "texts[1] is empty"),
    "blank-text": (_json({"texts": [" \n\t "]}), 422, "texts[0] is empty"),
    "no-texts": (_json({"texts": []}), 422, "texts is empty"),
    "not-an-object": (_json(["good"]), 422, "expected a JSON object"),
    "other-field": (_json({"texts": ["good"], "top_k": 2}), 422, "found also top_k"),
    "lone-surrogate": (b'{"texts": ["good \\ud800"]}', 422, "lone surrogate"),
    "invalid-json": (b'{"texts": ["good"', 400, "invalid JSON"),
    "invalid-utf8": (b'{"texts": ["caf\xe9 cr\xe8me"]}', 400, "expected a UTF-8 body"),
    "empty-body": (b"", 400, "empty body"),
    "nested-too-deeply": (b'{"texts": ' + b"[" * 1900 + b"]" * 1900 + b"}", 400, "too deeply"),
    "batch-over-limit": (_json({"texts": ["good"] * 9}), 413, "over the limit of 8"),
    "text-over-limit": (_json({"texts": ["good", "a" * 301]}), 413, "texts[1] has 301 characters"),
    "body-over-limit": (_json({"texts": ["good " * 900]}), 413, "over the limit of 4,000"),
}


@pytest.mark.parametrize("name", list(BAD_REQUESTS))
def test_a_bad_request_gets_a_4xx_with_a_message_and_the_server_keeps_serving(
    server, pipeline, name
):
    body, status, message = BAD_REQUESTS[name]
    answer = server.client.post(
        "/predict", content=body, headers={"content-type": "application/json"}
    )
    assert answer.status_code == status, answer.text
    assert message in answer.json()["detail"]
    assert_serves_correctly(server, pipeline)


def test_a_streamed_body_over_the_limit_is_refused_without_a_length(server, pipeline):
    """A chunked body declares no length: it is counted as it comes."""

    def chunks():
        yield b'{"texts": ["'
        for _ in range(10):
            yield b"good " * 100
        yield b'"]}'

    answer = server.client.post("/predict", content=chunks())
    assert answer.status_code == 413
    assert "at least" in answer.json()["detail"]
    assert_serves_correctly(server, pipeline)


def test_after_every_kind_of_bad_request_the_server_answers_as_before(server, pipeline):
    before = server.client.post("/predict", json={"texts": GOOD}).json()
    for body, _, _ in BAD_REQUESTS.values():
        server.client.post("/predict", content=body)
    assert server.client.post("/predict", json={"texts": GOOD}).json() == before
    assert server.process.poll() is None


def test_unknown_routes_and_methods_are_4xx(server):
    assert server.client.get("/nowhere").status_code == 404
    assert server.client.get("/predict").status_code == 405


def test_health_answers_while_a_batch_is_predicted(pipeline):
    """Predictions run in a worker thread: with one held mid-batch, /health still answers."""
    import uvicorn

    from nlptransfer.deploy.server import create_app

    started, release = threading.Event(), threading.Event()

    class Held:
        label_names = pipeline.label_names

        def predict(self, texts):
            started.set()
            assert release.wait(60), "the test never released the prediction"
            return pipeline.predict(texts)

    port = free_port()
    config = uvicorn.Config(create_app(Held()), host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            end = time.monotonic() + 30
            while not uv.started and time.monotonic() < end:
                time.sleep(0.05)
            result: dict = {}
            predicting = threading.Thread(
                target=lambda: result.update(client.post("/predict", json={"texts": GOOD}).json())
            )
            predicting.start()
            assert started.wait(10), "the prediction never started"
            health = client.get("/health", timeout=5)  # a blocked event loop would time out
            assert health.status_code == 200
            assert not result, "the prediction finished before it was released"
            release.set()
            predicting.join(30)
            assert [p["label"] for p in result["predictions"]] == [
                p.label for p in pipeline.predict(GOOD)
            ]
    finally:
        release.set()
        uv.should_exit = True
        thread.join(30)


def test_several_workers_serve(tiny_model, pipeline, tmp_path):
    served = Served([str(tiny_model), "--workers", "2"], tmp_path / "serve.log")
    try:
        for _ in range(4):
            assert_serves_correctly(served, pipeline)
    finally:
        served.stop()


def test_listening_beyond_loopback_warns(tmp_path):
    """The warning comes before anything else; here the folder is missing, so nothing binds."""
    done = subprocess.run(
        command("serve", str(tmp_path / "no-model"), "--host", "0.0.0.0", "--port", "9"),
        capture_output=True,
        text=True,
        env=environment(),
        timeout=120,
    )
    assert done.returncode == 1
    assert "listening on 0.0.0.0" in done.stderr and "no authentication" in done.stderr
    assert done.stderr.strip().endswith("found none")  # the folder's error, in one line
    assert "Traceback" not in done.stderr


def test_loopback_does_not_warn(tmp_path):
    done = subprocess.run(
        command("serve", str(tmp_path / "no-model"), "--port", "9"),
        capture_output=True,
        text=True,
        env=environment(),
        timeout=120,
    )
    assert done.returncode == 1 and "listening on" not in done.stderr


def test_an_unknown_backend_is_a_usage_error(tiny_model):
    done = subprocess.run(
        command("serve", str(tiny_model), "--backend", "tensorflow"),
        capture_output=True,
        text=True,
        env=environment(),
        timeout=120,
    )
    assert done.returncode == 2 and "expected one of torch, onnx, onnx-int8" in done.stderr


def test_the_onnx_backend_serves_what_torch_does(tiny_model, pipeline, tmp_path):
    skip_unless_installed("onnxruntime")
    folder = tmp_path / "exported"
    shutil.copytree(tiny_model, folder)
    exported = subprocess.run(
        command("export", str(folder), "--to", "onnx"),
        capture_output=True,
        text=True,
        env=environment(),
        timeout=300,
    )
    assert exported.returncode == 0, exported.stderr
    served = Served([str(folder), "--backend", "onnx"], tmp_path / "serve.log")
    try:
        assert served.client.get("/health").json()["backend"] == "onnx"
        assert_serves_correctly(served, pipeline, tolerance=1e-5)
        assert served.client.post("/predict", json={"texts": [""]}).status_code == 422
    finally:
        served.stop()
