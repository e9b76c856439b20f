"""The model card's ONNX section: which ONNX files the folder holds, how they were made and how
to run them. :func:`~nlptransfer.deploy.onnx_export.export_onnx` refreshes it after writing a
file into a model folder; the rest of the card (``README.md``) is kept as it is.

Example:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "README.md").write_text("# my classifier", encoding="utf-8")
    >>> _ = (folder / "model.onnx").write_bytes(b"")
    >>> text = update_model_card(folder).read_text()
    >>> text.startswith("# my classifier"), text.count("## ONNX")
    (True, 1)
    >>> update_model_card(folder).read_text().count("## ONNX")  # replaced, not repeated
    1
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from nlptransfer._util.files import atomic_output
from nlptransfer._util.version import __version__
from nlptransfer.deploy.onnx_predictor import (
    DEFAULT_OPSET,
    INPUT_NAME,
    INT8_FILE,
    ONNX_FILE,
    OUTPUT_NAME,
)
from nlptransfer.train.folder_files import FOLDER_FORMAT

_SECTION_START = "<!-- nlptransfer:onnx -->"
_SECTION_END = "<!-- /nlptransfer:onnx -->"


def is_model_folder(folder: Path) -> bool:
    config = folder / "config.json"
    if not config.is_file():
        return False
    try:
        return json.loads(config.read_text(encoding="utf-8")).get("format") == FOLDER_FORMAT
    except (ValueError, OSError):
        return False


def onnx_card_section(files: Sequence[Path]) -> str:
    """The model card's ONNX section: which files, how they were made, how to run them.

    Example:
        >>> print(onnx_card_section([Path("model.onnx")]).splitlines()[2])
        ## ONNX
    """
    lines = [_SECTION_START, "", "## ONNX", ""]
    for file in files:
        kind = "int8, dynamically quantized" if file.name == INT8_FILE else "float32"
        lines.append(
            f"- `{file.name}` ({kind}, {file.stat().st_size / 1e6:.1f} MB)"
            if file.exists()
            else f"- `{file.name}` ({kind})"
        )
    lines += [
        "",
        f"Exported with `nlptransfer export` (nlptransfer {__version__}, opset {DEFAULT_OPSET}; "
        "each file's ONNX metadata records the torch version, the classifier, the labels and a "
        f"digest of the vocabulary it was made from): input `{INPUT_NAME}`, token ids `[batch, time]` (int64, "
        f"right-padded with 0); output `{OUTPUT_NAME}`, `[batch, classes]` (float32). The "
        "float32 file gives PyTorch's probabilities within 1e-5; the int8 one is smaller and "
        "faster, its labels almost always the same.",
        "",
        "Predict without PyTorch (`pip install 'nlptransfer[onnx]'`; the tokenizer, vocabulary "
        "and labels are read from this folder):",
        "",
        "```python",
        "import nlptransfer",
        "",
        'model = nlptransfer.load_classifier("path/to/this/folder", backend="onnx")',
        'model.predict(["some text"])  # or backend="onnx-int8" for model.int8.onnx',
        "```",
        "",
        _SECTION_END,
    ]
    return "\n".join(lines) + "\n"


def update_model_card(folder: str | Path) -> Path:
    """Write (or replace) the ONNX section of ``folder/README.md`` for the ONNX files there."""
    folder = Path(folder)
    card = folder / "README.md"
    text = card.read_text(encoding="utf-8") if card.is_file() else ""
    text = re.sub(
        re.escape(_SECTION_START) + r".*?" + re.escape(_SECTION_END) + r"\n?", "", text, flags=re.S
    )
    files = [folder / name for name in (ONNX_FILE, INT8_FILE) if (folder / name).is_file()]
    if files:
        text = text.rstrip("\n") + "\n\n" + onnx_card_section(files)
    with atomic_output(card) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return card
