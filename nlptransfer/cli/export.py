"""``nlptransfer export``: a trained model folder's classifier as an ONNX file."""

from __future__ import annotations

from pathlib import Path

import typer

from nlptransfer.cli.console import console

#: The formats ``--to`` accepts.
EXPORT_FORMATS = ("onnx",)


def export(
    folder: Path = typer.Argument(..., help="A model folder written by `nlptransfer train`."),
    to: str = typer.Option("onnx", "--to", help="The format to write: onnx."),
    quantize: str | None = typer.Option(
        None, "--quantize", help="int8: dynamically quantized weights (smaller, faster)."
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="The file to write (default: model.onnx, or model.int8.onnx, in the model folder).",
    ),
) -> None:
    """Export a trained classifier to ONNX, to predict without PyTorch.

    The file goes into the model folder beside the weights (its model card says how to use it);
    `nlptransfer.load_classifier(FOLDER, backend="onnx")` then predicts with onnxruntime alone.
    """
    from nlptransfer.train.model_folder import load_classifier

    if to not in EXPORT_FORMATS:
        raise typer.BadParameter(f"expected one of {', '.join(EXPORT_FORMATS)}", param_hint="--to")
    if quantize not in (None, "int8"):
        raise typer.BadParameter("expected int8", param_hint="--quantize")
    pipeline = load_classifier(folder)
    written = pipeline.export_onnx(out if out is not None else folder, quantize=quantize)
    kind = "int8, dynamically quantized" if quantize else "float32, checked against PyTorch"
    console.print(f"wrote {written} ({written.stat().st_size / 1e6:.1f} MB, {kind})")
