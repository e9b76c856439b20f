"""A third-party package adds a classifier through an entry point; nlptransfer trains with it.

The package (``tinyplugin/``, kept here as source) is installed for real, with pip and offline,
into a folder of its own; the command then runs in a fresh interpreter with that folder on its
path, exactly as a user's environment with the plugin installed would be.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nlptransfer.errors import UnknownNameError
from nlptransfer.train import load_classifier
from tests.conftest import REPO

PLUGIN_SOURCE = Path(__file__).parent / "tinyplugin"


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory) -> Path:
    """A folder with tinyplugin installed in it (its code and its entry point metadata)."""
    work = tmp_path_factory.mktemp("plugin")
    source = work / "src"
    shutil.copytree(PLUGIN_SOURCE, source)  # pip builds in the tree: keep the repository clean
    site = work / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "--target",
            str(site),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert list(site.glob("tinyplugin-*.dist-info/entry_points.txt"))
    return site


@pytest.fixture(scope="module")
def sst2_files(shared_data, tmp_path_factory) -> dict[str, Path]:
    """The first rows of Kim's SST-2 train, dev and test files."""
    folder = tmp_path_factory.mktemp("sst2")
    files = {}
    for split, n in (("train", 400), ("dev", 100), ("test", 100)):
        lines = (shared_data / f"kim2014/stsa.binary.{split}").read_text(encoding="utf-8")
        files[split] = folder / f"{split}.txt"
        files[split].write_text("\n".join(lines.splitlines()[:n]) + "\n", encoding="utf-8")
    return files


def _python(args: list[str], site: Path | None) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGS`` in a fresh interpreter, with the plugin's folder first on its path."""
    path = [str(site)] if site is not None else []
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([*path, str(REPO)]),
        "NLPTRANSFER_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_OFFLINE": "1",
    }
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=600
    )


def _train(sst2_files: dict[str, Path], model: str, out: Path, site: Path | None):
    return _python(
        [
            "-m",
            "nlptransfer",
            "--quiet",
            "train",
            *("--train-file", str(sst2_files["train"])),
            *("--dev-file", str(sst2_files["dev"])),
            *("--test-file", str(sst2_files["test"])),
            *("--vectors", "glove-6b-50d", "--model", model, "--mode", "frozen"),
            *("--epochs", "2", "--tokenizer", "whitespace", "--out", str(out)),
        ],
        site,
    )


@pytest.fixture(scope="module")
def tiny_model(plugin_site, sst2_files, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("model") / "tiny"
    done = _train(sst2_files, "tiny", out, plugin_site)
    assert done.returncode == 0, done.stderr
    assert "test: accuracy" in done.stdout
    return out


def test_train_with_the_plugins_classifier_writes_a_folder_that_records_it(tiny_model):
    config = json.loads((tiny_model / "config.json").read_text(encoding="utf-8"))
    assert config["classifier"] == {"name": "tiny", "num_classes": 2, "scale": 1.0}
    metrics = json.loads((tiny_model / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["test"]["examples"] == 100 and len(metrics["history"]) == 2


def test_load_classifier_predicts_with_the_plugin_installed(tiny_model, plugin_site):
    probe = (
        "import json, sys\n"
        "from nlptransfer import TextClassifierPipeline, load_classifier\n"
        "from nlptransfer.nn.names import CLASSIFIERS\n"
        "pipeline = load_classifier(sys.argv[1])\n"
        "assert isinstance(pipeline, TextClassifierPipeline)\n"
        "p = pipeline.predict(['a gorgeous , witty , seductive movie .'])[0]\n"
        "print(json.dumps({'model': type(pipeline.model).__module__, 'label': p.label,\n"
        "    'total': sum(p.probabilities.values()), 'source': CLASSIFIERS.source('tiny')}))\n"
    )
    done = _python(["-c", probe, str(tiny_model)], plugin_site)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["model"] == "tinyplugin" and result["source"] == "tinyplugin"
    assert result["label"] in ("0", "1") and abs(result["total"] - 1) < 1e-5


def test_without_the_plugin_the_folder_names_what_is_missing(tiny_model):
    """This process has no tinyplugin on its path: the name is unknown, and said so."""
    with pytest.raises(UnknownNameError, match=r"config.json: unknown classifier .tiny.") as raised:
        load_classifier(tiny_model)
    assert raised.value.known[:3] == ("cnn", "bilstm", "nbow")


def test_a_typo_is_a_one_line_error_naming_the_close_match(plugin_site, sst2_files, tmp_path):
    done = _train(sst2_files, "tiyn", tmp_path / "never", plugin_site)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "error: unknown classifier 'tiyn'; did you mean 'tiny'? (known: cnn, bilstm, nbow, tiny)"
    ]
    assert not (tmp_path / "never").exists()


def test_a_typo_of_a_builtin_name_fails_before_torch_is_imported(tmp_path):
    probe = (
        "import sys\n"
        "from nlptransfer.cli.main import main\n"
        "sys.argv = ['nlptransfer', 'train', '--model', 'bilstn', '--out', sys.argv[1]]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit:\n"
        "    print(exit.code, 'torch' in sys.modules)\n"
    )
    done = _python(["-c", probe, str(tmp_path / "never")], None)
    assert done.stdout.split() == ["1", "False"]
    assert done.stderr.strip().splitlines() == [
        "error: unknown classifier 'bilstn'; did you mean 'bilstm'? (known: cnn, bilstm, nbow)"
    ]
