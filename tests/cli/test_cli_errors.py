"""Every command, given bad input, fails in one line: ``error: ...`` and a non-zero exit status.

Each command of the app (found by walking it: a new command fails
:func:`test_every_command_is_driven` until it has cases here) is run with a missing file, an empty
file, garbage bytes and a truncated ``.gz`` wherever it reads a file, and with bad option values.
None may print a traceback or a bare ``Aborted.``; each must print exactly one line on stderr.
"""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from nlptransfer.cli import failures
from nlptransfer.cli.main import app

runner = CliRunner()

#: The bad files every command that reads a file is given.
BAD_FILES = ("missing", "empty", "garbage", "truncated-gz")

# In the argument lists: {bad} is one of BAD_FILES; {model} a model folder whose config.json is
# that file; {out} a fresh output path; {vectors} tiny good vectors; {texts} a good Kim file.
COMMANDS: dict[tuple[str, ...], dict[str, list[list[str]]]] = {
    ("vectors", "info"): {
        "files": [["vectors", "info", "{bad}"]],
        "options": [["vectors", "info", "{vectors}", "--format", "foo"]],
    },
    ("vectors", "convert"): {
        "files": [
            ["vectors", "convert", "{bad}", "{out}"],
            ["vectors", "convert", "{vectors}", "{out}", "--vocab", "{bad}"],
            ["vectors", "convert", "{vectors}", "{out}", "--vocab-of", "{bad}"],
        ],
        "options": [
            ["vectors", "convert", "{vectors}", "{out}", "--to", "foo"],
            ["vectors", "convert", "{vectors}", "{out}", "--limit", "many"],
            ["vectors", "convert", "{vectors}", "{out}", "--to", "spacy", "--lang", "zz"],
        ],
    },
    ("vectors", "neighbors"): {
        "files": [["vectors", "neighbors", "{bad}", "king"]],
        "options": [["vectors", "neighbors", "{vectors}", "king", "-k", "0"]],
    },
    ("vectors", "similarity"): {
        "files": [["vectors", "similarity", "{bad}", "king", "queen"]],
        "options": [["vectors", "similarity", "{vectors}", "king", "queen", "man"]],
    },
    ("vectors", "analogy"): {
        "files": [["vectors", "analogy", "{bad}", "man", "king", "woman"]],
        "options": [["vectors", "analogy", "{vectors}", "man", "king", "woman", "--method", "x"]],
    },
    ("vectors", "evaluate"): {
        "files": [
            ["vectors", "evaluate", "{bad}"],
            ["vectors", "evaluate", "{vectors}", "--pairs", "{bad}"],
            ["vectors", "evaluate", "{vectors}", "--analogies", "{bad}"],
        ],
        "options": [
            ["vectors", "evaluate", "{vectors}", "--fold", "sideways"],
            ["vectors", "evaluate", "{vectors}", "--method", "x"],
        ],
    },
    ("vectors", "coverage"): {
        "files": [
            ["vectors", "coverage", "{vectors}", "{bad}"],
            ["vectors", "coverage", "{bad}", "{texts}"],
        ],
        "options": [
            ["vectors", "coverage", "{vectors}", "{texts}", "--input-format", "foo"],
            ["vectors", "coverage", "{vectors}", "{texts}", "--rules", "exact,nope"],
            ["vectors", "coverage", "{vectors}", "{texts}", "--tokenizer", "nope"],
        ],
    },
    ("vectors", "list"): {"files": [], "options": [["vectors", "list", "extra"]]},
    ("vectors", "download"): {
        "files": [],
        "options": [["vectors", "download", "no-such-vectors"], ["vectors", "download"]],
    },
    ("train",): {
        "files": [
            ["train", "--train-file", "{bad}", "--mode", "random", "--vectors", "none", "-o", "."],
            ["train", "--train-file", "{texts}", "--vectors", "{bad}", "-o", "{out}"],
        ],
        "options": [
            ["train", "--train-file", "{texts}", "--optimizer", "nope", "-o", "{out}"],
            ["train", "--train-file", "{texts}", "--epochs", "0", "-o", "{out}"],
            ["train", "--train-file", "{texts}", "--vectors", "none", "-o", "{out}"],  # not random
        ],
    },
    ("predict",): {
        "files": [
            ["predict", "{model}", "--text", "a fine film"],
            ["predict", "{model}", "--file", "{bad}"],
        ],
        "options": [["predict", "{model}"]],
    },
    ("evaluate",): {
        "files": [
            ["evaluate", "{model}", "--test-file", "{texts}"],
            ["evaluate", "{bad}", "--test-file", "{texts}"],
        ],
        "options": [["evaluate", "{model}"]],
    },
    ("serve",): {  # each fails before the server starts
        "files": [["serve", "{model}"]],
        "options": [
            ["serve", "{model}", "--backend", "nope"],
            ["serve", "{model}", "--port", "0"],
            ["serve", "{model}", "--max-batch", "0"],
        ],
    },
    ("push",): {  # each fails before any network
        "files": [["push", "{model}", "me/model"]],
        "options": [["push", "{model}"]],
    },
    ("export",): {
        "files": [["export", "{model}"], ["export", "{model}", "--quantize", "int8"]],
        "options": [
            ["export", "{model}", "--to", "coreml"],
            ["export", "{model}", "--quantize", "int4"],
        ],
    },
    ("bench",): {
        "files": [["bench", "{bad}", "--out", "{out}"]],
        "options": [["bench", "{texts}", "--executor", "moon"], ["bench", "{texts}", "-j", "0"]],
    },
    ("report",): {"files": [["report", "{bad}"]], "options": [["report"]]},
    ("compare",): {
        "files": [
            ["compare", "--train-file", "{bad}", "--out", "{out}", "--seeds", "1", "--no-drift"],
            ["compare", "--train-file", "{texts}", "--vectors", "{bad}", "--out", "{out}"],
        ],
        "options": [
            ["compare", "--train-file", "{texts}", "--seeds", "0", "--out", "{out}"],
            ["compare", "--out", "{out}"],  # neither a file nor a dataset
            ["compare", "--dataset", "no-such-dataset", "--out", "{out}"],
        ],
    },
    ("drift",): {
        "files": [["drift", "{model}"]],
        "options": [["drift", "{model}", "-k", "0"]],
    },
    ("pretrain",): {
        "files": [
            ["pretrain", "-c", "{bad}", "-o", "{out}", "--tokenizer", "whitespace"],
            ["pretrain", "-c", "{texts}", "-o", "{out}", "--init", "{bad}"],
        ],
        "options": [
            ["pretrain", "-c", "{texts}", "-o", "{out}", "--algorithm", "glove"],
            ["pretrain", "-c", "{texts}", "-o", "{out}", "--export", "nope"],
            ["pretrain", "-c", "{texts}", "-o", "{out}", "--dim", "-3"],
        ],
    },
}


#: Cases that still succeed, each a gap to close in the library (strict: closing it fails here).
KNOWN_GAPS: dict[str, str] = {}


def _commands(group, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    found = set()
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found |= _commands(command, (*prefix, name))
        else:
            found.add((*prefix, name))
    return found


def _cases() -> list:
    cases = []
    for command, lists in COMMANDS.items():
        for n, args in enumerate(lists["files"]):
            for bad in BAD_FILES:
                name = f"{'-'.join(command)}-{n}-{bad}"
                gap = KNOWN_GAPS.get(name)
                marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
                cases.append(pytest.param(args, bad, id=name, marks=marks))
        for n, args in enumerate(lists["options"]):
            cases.append(pytest.param(args, None, id=f"{'-'.join(command)}-option-{n}"))
        cases.append(pytest.param([*command, "--no-such-option"], None, id=f"{'-'.join(command)}"))
    return cases


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    made = {"missing": folder / "missing.txt", "empty": folder / "empty.txt"}
    made["empty"].write_bytes(b"")
    noise = random.Random(0)
    made["garbage"] = folder / "garbage.bin"
    made["garbage"].write_bytes(bytes(noise.randrange(256) for _ in range(4096)) + b"\0\n\xff")
    lines = "".join(f"{i % 2} a film , number {noise.random()} , {i}\n" for i in range(3000))
    whole = gzip.compress(lines.encode())
    made["truncated-gz"] = folder / "cut.txt.gz"
    made["truncated-gz"].write_bytes(whole[: len(whole) // 2])
    for kind in BAD_FILES:  # a model folder whose config.json is the bad file
        model = folder / f"model-{kind}"
        model.mkdir()
        if kind != "missing":
            (model / "config.json").write_bytes(made[kind].read_bytes())
    (folder / "vectors.txt").write_text("king 0.1 0.2\nqueen 0.2 0.1\nman 0.3 0.3\nwoman 0.1 0.1\n")
    # Enough rows for test and dev splits to be carved from it (10% each, per class).
    rows = ["1 a fine film\n", "0 a dull film\n", "1 fine\n", "0 dull\n"] * 10
    (folder / "texts.txt").write_text("".join(rows))
    return {**made, "folder": folder}


def _args(template: list[str], bad: str | None, files: dict[str, Path], out: Path) -> list[str]:
    folder = files["folder"]
    values = {
        "{bad}": str(files[bad]) if bad else "",
        "{model}": str(folder / f"model-{bad or 'missing'}"),
        "{out}": str(out),
        "{vectors}": str(folder / "vectors.txt"),
        "{texts}": str(folder / "texts.txt"),
    }
    return [values.get(arg, arg) for arg in template]


def assert_one_line_failure(result) -> None:
    """Non-zero exit; no traceback, no bare ``Aborted``; one line on stderr: ``error: ...``."""
    shown = result.output
    assert result.exit_code != 0, shown
    assert "Traceback" not in shown and "Aborted" not in shown, shown
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), shown


def test_every_command_is_driven():
    assert set(COMMANDS) == _commands(get_command(app))


@pytest.mark.parametrize(("template", "bad"), _cases())
def test_bad_input_is_one_line(template, bad, files, tmp_path, monkeypatch):
    monkeypatch.setenv("NLPTRANSFER_OFFLINE", "1")  # nothing here may reach for the network
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, _args(template, bad, files, tmp_path / "out"))
    assert_one_line_failure(result)
    if "pip install 'nlptransfer[" in result.stderr:  # the core install: the command's extra
        pytest.skip(f"the command stops first at its missing extra: {result.stderr.strip()}")
    if bad is not None and result.exit_code != 2:
        assert files[bad].name in result.stderr or f"model-{bad}" in result.stderr


def test_the_issues_example_in_a_real_process(files):
    """`vectors info FILE --format foo` printed a 50-line ValueError traceback."""
    command = [sys.executable, "-m", "nlptransfer", "vectors", "info", str(files["empty"])]
    done = subprocess.run([*command, "--format", "foo"], capture_output=True, text=True)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("error: ") and "unknown vectors format 'foo'" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_debug_shows_the_traceback_too(files, monkeypatch):
    args = ["vectors", "coverage", str(files["folder"] / "vectors.txt"), str(files["garbage"])]
    quiet = runner.invoke(app, args)
    assert_one_line_failure(quiet)
    for how in ("option", "environment"):
        if how == "environment":
            monkeypatch.setenv("NLPTRANSFER_DEBUG", "1")
        loud = runner.invoke(app, args if how == "environment" else ["--debug", *args])
        assert loud.exit_code == 1 and "Traceback" in loud.stderr
        assert loud.stderr.strip().splitlines()[-1] == quiet.stderr.strip()


def test_ctrl_c_is_exit_130_and_a_bug_asks_for_a_report(monkeypatch, files):
    import nlptransfer.cli.vectors

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(nlptransfer.cli.vectors, "load_vectors", interrupted)
    result = runner.invoke(app, ["vectors", "info", "anything"])
    assert result.exit_code == 130 and result.stderr.strip() == "error: interrupted"

    def broken(*args, **kwargs):
        return None + 1

    monkeypatch.setattr(nlptransfer.cli.vectors, "load_vectors", broken)
    result = runner.invoke(app, ["vectors", "info", "anything"])
    assert result.exit_code == 1 and "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: this is a bug in nlptransfer")
    assert isinstance(result.exception.__cause__, TypeError)


def test_an_error_without_the_files_name_gets_it(files):
    """A UnicodeDecodeError knows no file; the line names the one being read."""

    def read(path: Path) -> dict:
        return json.loads(path.read_bytes())

    try:
        read(files["garbage"])
    except ValueError as error:
        message = failures.user_message(error)
    assert message.startswith(f"{files['garbage']}: ") and "\n" not in message
