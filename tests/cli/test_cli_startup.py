"""The command starts without PyTorch: help, --version and the vectors commands never import it.

Importing torch (and scipy.stats, which only reports use) took 4 of the 4.6 seconds the
command needed before printing its --version; these tests fail if an import brings it back.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import skip_unless_installed

HEAVY = ("torch", "scipy.stats", "datasets", "spacy")

_PROBE = """
import json, sys
from nlptransfer.cli.main import main
args, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["nlptransfer", *args]
try:
    main()
except SystemExit:
    pass
print(json.dumps([name for name in heavy if name in sys.modules]))
"""


def _heavy_modules_after(args: list[str]) -> list[str]:
    """Run the command in a fresh interpreter; the heavy modules it had imported on exit."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["--help"],
        ["train", "--help"],
        ["bench", "--help"],
        ["vectors", "neighbors", "glove-6b-50d", "king", "-k", "2", "--json"],
    ],
    ids=["version", "help", "train-help", "bench-help", "vectors-neighbors"],
)
def test_no_heavy_import_before_it_is_needed(args):
    assert _heavy_modules_after(args) == []


def test_the_probe_sees_torch_when_a_command_needs_it(tmp_path):
    """The check above can fail: a command that trains does import torch."""
    skip_unless_installed("torch")
    folder = tmp_path / "missing-model"
    assert "torch" in _heavy_modules_after(["predict", str(folder), "--text", "good"])
