"""Model folders on the Hugging Face Hub: the folder's layout and card metadata, and, over HTTP,
``nlptransfer push`` then ``load_classifier("hf://...")``, against a local Hub started here.

The local Hub (:class:`LocalHub`) answers the routes ``huggingface_hub`` calls to create a
repository, validate a card, upload a folder and download a snapshot, over an in-memory store of
commits. It answers every upload "regular" (the file's bytes inside the commit): the Hub's LFS and
Xet uploads, which the real Hub asks for large or binary files such as ``model.safetensors``, are
not exercised here; nor are tokens checked beyond their being sent.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import REPO, read_kim, skip_unless_installed

skip_unless_installed("huggingface_hub")

from nlptransfer import load_classifier  # noqa: E402
from nlptransfer.errors import NLPTransferError  # noqa: E402
from nlptransfer.train.hub import (  # noqa: E402
    card_metadata,
    parse_hub_spec,
    push_to_hub,
    resolve_model_folder,
)

TEXTS = ["a gorgeous , witty , seductive movie .", "the plot is paper-thin ."]


class LocalHub:
    """The few Hub API routes ``create_repo``, ``upload_folder`` and ``snapshot_download`` use."""

    def __init__(self) -> None:
        #: repo id -> {"branches": {name: sha}, "commits": {sha: {path: bytes}}}
        self.repos: dict[str, dict] = {}
        #: (method, path, Authorization header) of every request
        self.requests: list[tuple[str, str, str | None]] = []
        #: the card metadata each upload asked to validate
        self.validated: list[dict] = []
        self._lock = threading.Lock()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                hub._answer(self, "GET")

            def do_HEAD(self):
                hub._answer(self, "HEAD")

            def do_POST(self):
                hub._answer(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        repo = r"(?P<repo>[^/]+/[^/]+)"
        self._routes = [
            ("POST", r"/api/repos/create", self._create),
            ("POST", r"/api/validate-yaml", self._validate_yaml),
            ("GET", rf"/api/models/{repo}(?:/revision/(?P<rev>[^/]+))?", self._info),
            ("GET", rf"/api/models/{repo}/tree/(?P<rev>[^/]+)", self._tree),
            ("POST", rf"/api/models/{repo}/preupload/(?P<rev>[^/]+)", self._preupload),
            ("POST", rf"/api/models/{repo}/commit/(?P<rev>[^/]+)", self._commit),
            ("GET", rf"/{repo}/resolve/(?P<rev>[^/]+)/(?P<file>.+)", self._resolve),
            ("HEAD", rf"/{repo}/resolve/(?P<rev>[^/]+)/(?P<file>.+)", self._resolve),
        ]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def put(self, repo: str, folder: Path) -> str:
        """Commit a folder's files to ``repo`` (created if missing) on main, as a push would,
        without the HTTP round trips: for the tests that are about downloading."""
        with self._lock:
            if repo not in self.repos:
                self._create(json.dumps({"name": repo.split("/")[1]}).encode())
            lines = [
                json.dumps(
                    {
                        "key": "file",
                        "value": {
                            "path": p.name,
                            "content": base64.b64encode(p.read_bytes()).decode(),
                        },
                    }
                )
                for p in sorted(folder.iterdir())
            ]
            return self._commit("\n".join(lines).encode(), repo, "main")[2]["commitOid"]

    def files(self, repo: str, rev: str = "main") -> dict[str, bytes]:
        return self.repos[repo]["commits"][self._commit_of(repo, rev)]

    def _answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = unquote(urlsplit(handler.path).path)
        self.requests.append((method, path, handler.headers.get("authorization")))
        length = int(handler.headers.get("content-length") or 0)
        body = handler.rfile.read(length) if method == "POST" else b""
        status, headers, payload = 404, {}, {"error": f"no route {method} {path} here"}
        for verb, pattern, route in self._routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                with self._lock:
                    status, headers, payload = route(body, **match.groupdict())
                break
        if not isinstance(payload, bytes):
            payload = json.dumps(payload).encode()
            headers.setdefault("Content-Type", "application/json")
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        if method != "HEAD":
            handler.wfile.write(payload)

    def _commit_of(self, repo: str, rev: str) -> str | None:
        data = self.repos[repo]
        return data["branches"].get(rev) or (rev if rev in data["commits"] else None)

    def _not_found(self, repo: str, rev: str | None = None):
        if repo not in self.repos:
            return 404, {"X-Error-Code": "RepoNotFound"}, {"error": f"Repository {repo} not found"}
        return 404, {"X-Error-Code": "RevisionNotFound"}, {"error": f"Invalid rev id: {rev}"}

    def _create(self, body: bytes):
        asked = json.loads(body)
        owner = asked.get("organization") or "me"
        repo = f"{owner}/{asked['name']}"
        if repo in self.repos:
            return 409, {}, {"error": "You already created this model repo", "url": repo}
        empty = hashlib.sha1(repo.encode()).hexdigest()
        self.repos[repo] = {"branches": {"main": empty}, "commits": {empty: {}}}
        self.repos[repo]["private"] = bool(asked.get("private"))
        return 200, {}, {"url": f"{self.url}/{repo}", "name": repo}

    def _validate_yaml(self, body: bytes):
        """What the Hub checks of a card's metadata, as far as huggingface_hub itself reads it:
        YAML that parses to a mapping, with a model-index it turns into evaluation results."""
        import yaml
        from huggingface_hub.repocard_data import model_index_to_eval_results

        content = json.loads(body)["content"]
        match = re.match(r"---\n(.*?)\n---\n", content, re.S)
        try:
            meta = yaml.safe_load(match.group(1)) if match else {}
            if not isinstance(meta, dict):
                raise ValueError("the metadata is not a mapping")
            model_index_to_eval_results(meta.get("model-index") or [])
        except Exception as exc:
            return 400, {}, {"errors": [{"message": f"{type(exc).__name__}: {exc}"}]}
        self.validated.append(meta)
        return 200, {}, {"warnings": []}

    def _info(self, body: bytes, repo: str, rev: str | None = None):
        sha = self._commit_of(repo, rev or "main") if repo in self.repos else None
        if sha is None:
            return self._not_found(repo, rev)
        files = self.repos[repo]["commits"][sha]
        siblings = [{"rfilename": name} for name in sorted(files)]
        return 200, {}, {"id": repo, "sha": sha, "private": False, "siblings": siblings}

    def _tree(self, body: bytes, repo: str, rev: str):
        sha = self._commit_of(repo, rev) if repo in self.repos else None
        if sha is None:
            return self._not_found(repo, rev)
        files = self.repos[repo]["commits"][sha]
        return (
            200,
            {},
            [
                {"type": "file", "path": name, "size": len(data), "oid": _git_oid(data)}
                for name, data in sorted(files.items())
            ],
        )

    def _preupload(self, body: bytes, repo: str, rev: str):
        files = [
            {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False}
            for f in json.loads(body)["files"]
        ]
        return 200, {}, {"files": files, "commitOid": self.repos[repo]["branches"][rev]}

    def _commit(self, body: bytes, repo: str, rev: str):
        data = self.repos[repo]
        files = dict(data["commits"][data["branches"][rev]])
        for line in body.splitlines():
            item = json.loads(line)
            if item["key"] == "file":
                files[item["value"]["path"]] = base64.b64decode(item["value"]["content"])
            elif item["key"] == "deletedFile":
                files.pop(item["value"]["path"], None)
            elif item["key"] != "header":
                return 400, {}, {"error": f"this local Hub has no {item['key']} operation"}
        sha = hashlib.sha1(f"{repo} {len(data['commits'])}".encode()).hexdigest()
        data["commits"][sha] = files
        data["branches"][rev] = sha
        return 200, {}, {"commitUrl": f"{self.url}/{repo}/commit/{sha}", "commitOid": sha}

    def _resolve(self, body: bytes, repo: str, rev: str, file: str):
        sha = self._commit_of(repo, rev) if repo in self.repos else None
        if sha is None:
            return self._not_found(repo, rev)
        files = self.repos[repo]["commits"][sha]
        if file not in files:
            return 404, {"X-Error-Code": "EntryNotFound"}, {"error": f"{file} not found"}
        etag = f'"{_git_oid(files[file])}"'
        return 200, {"X-Repo-Commit": sha, "ETag": etag}, files[file]


def _git_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


# -- the folder ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(shared_file, tmp_path_factory):
    """A bag-of-words classifier trained in seconds on 400 SST-2 sentences."""
    from nlptransfer.train.classify import train_classifier
    from nlptransfer.train.trainer import TrainConfig

    dev = read_kim(shared_file("kim2014/stsa.binary.dev"), 200)
    out = tmp_path_factory.mktemp("hub") / "sst2-nbow"
    train_classifier(
        read_kim(shared_file("kim2014/stsa.binary.train"), 400),
        label_names=["negative", "positive"],
        vectors=None,
        dev=dev,
        test=dev,
        model="nbow",
        mode="random",
        tokenizer="whitespace",
        train_config=TrainConfig(epochs=1, lr=3e-3, seed=0, progress=False),
        out=out,
        info={"dataset": {"name": "sst2"}},
    )
    return out


def test_a_model_folder_is_laid_out_as_the_hub_expects(folder):
    from huggingface_hub import ModelCard

    assert {"config.json", "model.safetensors", "README.md"} <= {p.name for p in folder.iterdir()}
    card = ModelCard.load(folder / "README.md")
    assert card.data.library_name == "nlptransfer"
    assert card.data.pipeline_tag == "text-classification"
    assert {"nlptransfer", "text-classification", "nbow"} <= set(card.data.tags)
    assert card.data.datasets == ["sst2"]
    metrics = json.loads((folder / "metrics.json").read_text())
    results = {(r.dataset_split, r.metric_type): r.metric_value for r in card.data.eval_results}
    for split in ("dev", "test"):
        assert results[split, "accuracy"] == pytest.approx(metrics[split]["accuracy"], abs=1e-6)
        assert results[split, "f1"] == pytest.approx(metrics[split]["macro_f1"], abs=1e-6)
    assert card.text.lstrip().startswith("# nbow text classifier (random embeddings)")


def test_a_file_dataset_is_named_in_the_results_but_not_listed_as_a_hub_dataset():
    import yaml

    text = card_metadata(
        info={"dataset": {"name": "data/my reviews: 2024.csv"}, "vectors": {"source": "a b"}},
        metrics={"dev": {"accuracy": 0.5}},
        classifier="cnn",
        embedding_mode="static",
    )
    meta = yaml.safe_load(text.split("---\n")[1])
    assert "datasets" not in meta
    assert meta["tags"][-1] == "a b"
    (result,) = meta["model-index"][0]["results"]
    assert result["dataset"]["name"] == "data/my reviews: 2024.csv"
    assert result["metrics"] == [{"type": "accuracy", "value": 0.5, "name": "Accuracy"}]


def test_a_card_without_scores_has_no_model_index():
    import yaml

    text = card_metadata(info={}, metrics={}, classifier="bilstm", embedding_mode="finetune")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["library_name"] == "nlptransfer" and "model-index" not in meta


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("hf://me/sst2-cnn", ("me/sst2-cnn", None)),
        ("hf://me/sst2.cnn_v2@main", ("me/sst2.cnn_v2", "main")),
        ("hf://me/m@0123abcd", ("me/m", "0123abcd")),
    ],
)
def test_parse_hub_spec(spec, expected):
    assert parse_hub_spec(spec) == expected


@pytest.mark.parametrize("spec", ["hf://me", "hf://me/a/b", "hf://me/m@", "hf:///m", "hf://-x/m"])
def test_a_malformed_hub_name_is_a_value_error(spec):
    with pytest.raises(ValueError, match="expected hf://OWNER/NAME"):
        resolve_model_folder(spec)


def test_local_folders_are_themselves(tmp_path):
    assert resolve_model_folder(tmp_path) == tmp_path
    assert resolve_model_folder(str(tmp_path)) == tmp_path


def test_push_checks_the_folder_and_the_name_before_any_network(folder, tmp_path):
    with pytest.raises(NLPTransferError, match=r"config\.json"):
        push_to_hub(tmp_path, "me/empty")
    (tmp_path / "config.json").write_text('{"format": "something-else"}')
    with pytest.raises(NLPTransferError, match="expected format 'nlptransfer-classifier'"):
        push_to_hub(tmp_path, "me/empty")
    for name in ("me/m@v1", "m", "hf://me/m"):
        with pytest.raises(ValueError, match="expected OWNER/NAME"):
            push_to_hub(folder, name)
    weightless = tmp_path / "weightless"
    shutil.copytree(folder, weightless)
    (weightless / "model.safetensors").unlink()
    with pytest.raises(NLPTransferError, match=r"model\.safetensors"):
        push_to_hub(weightless, "me/weightless")


# -- over HTTP, against the local Hub --------------------------------------------------------------
@pytest.fixture
def hub():
    local = LocalHub()
    yield local
    local.close()


def hub_environment(endpoint: str, home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_"))}
    env.update(
        PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        HF_ENDPOINT=endpoint,
        HF_HOME=str(home),
        HF_TOKEN="hf_local_test_token",
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        **extra,
    )
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=300
    )


def nlptransfer(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run(["-c", "from nlptransfer.cli.main import main; main()", *args], env)


LOAD = """
import json, sys
from nlptransfer import load_classifier
from nlptransfer.train.hub import resolve_model_folder
model = load_classifier(sys.argv[1])
print(json.dumps({
    "folder": str(resolve_model_folder(sys.argv[1])),
    "predictions": [[p.label, p.probabilities] for p in model.predict(json.loads(sys.argv[2]))],
}))
"""


def load_in_a_process(spec: str, env: dict[str, str]) -> dict:
    done = run(["-c", LOAD, spec, json.dumps(TEXTS)], env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_push_then_load_from_the_hub_then_from_the_cache_offline(folder, hub, tmp_path):
    env = hub_environment(hub.url, tmp_path / "hf")
    pushed = nlptransfer("push", str(folder), "me/sst2-nbow", env=env)
    assert pushed.returncode == 0, pushed.stderr
    assert f"{hub.url}/me/sst2-nbow/commit/" in pushed.stdout
    assert hub.files("me/sst2-nbow") == {p.name: p.read_bytes() for p in folder.iterdir()}
    assert hub.validated[0]["library_name"] == "nlptransfer"  # the card was checked on the way
    assert {auth for _, _, auth in hub.requests} == {"Bearer hf_local_test_token"}

    expected = [[p.label, p.probabilities] for p in load_classifier(folder).predict(TEXTS)]
    loaded = load_in_a_process("hf://me/sst2-nbow", env)
    assert loaded["predictions"] == expected
    cached = Path(loaded["folder"])
    assert cached.is_relative_to(tmp_path / "hf" / "hub")
    assert {p.name: p.read_bytes() for p in cached.iterdir()} == hub.files("me/sst2-nbow")

    hub.close()  # the Hub is gone: the cache answers
    offline = hub_environment(hub.url, tmp_path / "hf", HF_HUB_OFFLINE="1")
    assert load_in_a_process("hf://me/sst2-nbow", offline)["predictions"] == expected


def test_a_revision_loads_the_folder_as_it_was_then(folder, hub, tmp_path):
    env = hub_environment(hub.url, tmp_path / "hf")
    first = hub.put("me/m", folder)
    changed = tmp_path / "changed"
    shutil.copytree(folder, changed)
    with (changed / "README.md").open("a") as card:
        card.write("\nRetrained.\n")
    hub.put("me/m", changed)

    then = Path(load_in_a_process(f"hf://me/m@{first}", env)["folder"])
    now = Path(load_in_a_process("hf://me/m", env)["folder"])
    assert "Retrained." not in (then / "README.md").read_text()
    assert (now / "README.md").read_text().endswith("Retrained.\n")


def test_the_commands_take_a_hub_name(folder, hub, tmp_path):
    """``nlptransfer predict hf://...``: a command's path argument reads it as hf:/OWNER/NAME."""
    env = hub_environment(hub.url, tmp_path / "hf")
    hub.put("me/m", folder)
    done = nlptransfer("predict", "hf://me/m", "--text", TEXTS[0], "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["label"] == load_classifier(folder).predict(TEXTS[0])[0].label


@pytest.mark.parametrize(
    ("spec", "why"),
    [("hf://me/nothing", "Repository Not Found"), ("hf://me/m@no-such-branch", "Revision")],
)
def test_a_missing_repository_or_revision_is_one_line(folder, hub, tmp_path, spec, why):
    env = hub_environment(hub.url, tmp_path / "hf")
    hub.put("me/m", folder)
    done = nlptransfer("predict", spec, "--text", "good", env=env)
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"error: {spec}: could not download the model (") and why in line


def test_pushing_to_a_hub_that_cannot_be_reached_is_one_line(folder, tmp_path):
    with socket_on_a_closed_port() as port:
        env = hub_environment(f"http://127.0.0.1:{port}", tmp_path / "hf")
        done = nlptransfer("push", str(folder), "me/m", env=env)
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: me/m: could not push")


class socket_on_a_closed_port:
    """A loopback port nothing listens on (bound, never listening: connections are refused)."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return self.sock.getsockname()[1]

    def __exit__(self, *exc) -> None:
        self.sock.close()


def test_serving_a_hub_model(folder, hub, tmp_path):
    skip_unless_installed("fastapi", "uvicorn", "httpx")
    from tests.deploy.test_server import Served

    env = hub_environment(hub.url, tmp_path / "hf")
    hub.put("me/m", folder)
    served = Served(["hf://me/m"], tmp_path / "serve.log", env=env)
    try:
        assert served.client.get("/").text == (folder / "README.md").read_text()
        got = served.client.post("/predict", json={"texts": TEXTS}).json()["predictions"]
        assert [p["label"] for p in got] == [
            p.label for p in load_classifier(folder).predict(TEXTS)
        ]
    finally:
        served.stop()
