"""Real token vectors for the tests: WordLlama's 256d model, as its PyPI wheel installs it.

The ``wordllama`` package (the ``wordllama`` extra) ships ``weights/l2_supercat_256.safetensors``
and the Llama 2 tokenizer it was made for (``tokenizers/l2_supercat_tokenizer_config.json``, a
Hugging Face ``tokenizer.json``). The files are found in the installed package, never
downloaded; without the package the calling test (or module) skips, naming the extra.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import pytest

WEIGHTS = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"


def wordllama_dir() -> Path:
    """The installed ``wordllama`` package's folder (skips the caller when it is absent)."""
    spec = find_spec("wordllama")
    missing = [
        name for name in ("wordllama", "tokenizers", "safetensors") if find_spec(name) is None
    ]
    if spec is None or spec.origin is None or missing:
        pytest.skip(
            f"needs {', '.join(missing)}: pip install 'nlptransfer[wordllama]'",
            allow_module_level=True,
        )
    return Path(spec.origin).parent


def wordllama_files() -> tuple[Path, Path]:
    """``(weights.safetensors, tokenizer.json)`` of WordLlama's 256d model."""
    folder = wordllama_dir()
    return folder / WEIGHTS, folder / TOKENIZER
