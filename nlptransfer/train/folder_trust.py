"""Checks on a model folder from someone else, before and while it is read (issue 23, item 10).

A model folder is data: ``config.json`` and ``vocab.json`` (JSON), ``model.safetensors`` and a
tokenizer. :func:`refuses_malformed_folders` wraps the function that reads one so that

- ``config.json`` is checked first: JSON, an object, every key the reader needs with the type
  it needs (:func:`check_config`);
- the vocabulary is the one the folder was saved with, token for token, in order: a digest of
  its tokens is recorded in ``config.json`` at save (:func:`vocab_digest`), so a ``vocab.json``
  reordered or edited to the same length is refused (a folder saved before the digest existed
  loads with a warning);
- the embedding shape ``config.json`` declares is the one ``model.safetensors``' header holds,
  before any memory is set aside for it (so memory is bounded by the weights file, not by an
  edited ``rows`` or ``dim``), and so is every tensor of the classifier it describes
  (:func:`check_weight_shapes`, on a model built on torch's ``meta`` device);
- every weight is finite and below 1e15 in size once loaded (a NaN, or a flipped exponent bit,
  would make every prediction NaN);
- anything malformed that a reader still trips over (``KeyError``, ``TypeError``,
  ``IndexError``, a safetensors error, a JSON error) becomes a
  :class:`~nlptransfer.errors.ModelFolderError` naming the file being read.

The tokenizer's own checks (a regex that backtracks catastrophically, a tokenizer file outside
the folder) are :mod:`nlptransfer.text.tokenize`'s.

Example:
    >>> vocab_digest(["<pad>", "<unk>", "good"])[:12]
    '4bff1774f8cf'
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import struct
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from nlptransfer._util.errors import ModelFolderError, NLPTransferError

logger = logging.getLogger(__name__)

#: The key of ``config.json`` that holds :func:`vocab_digest` of ``vocab.json``'s tokens.
VOCAB_DIGEST_KEY = "vocab_sha256"
#: The largest safetensors header read (the format's own limit is 100 MB).
_MAX_HEADER = 100_000_000

_F = TypeVar("_F", bound=Callable[..., Any])


def vocab_digest(tokens: Sequence[str]) -> str:
    """The SHA-256 of the tokens in id order (as JSON, UTF-8): what ``vocab_sha256`` records."""
    text = json.dumps(list(tokens), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_json_object(path: Path) -> dict[str, Any]:
    """``path``'s JSON object, or :class:`ModelFolderError` naming the file and line."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFolderError(
            f"{path}: expected this file in the model folder, found none"
        ) from None
    except UnicodeDecodeError as exc:
        raise ModelFolderError(
            f"{path}: expected UTF-8 JSON, found {exc.reason} at byte {exc.start}"
        ) from None
    except json.JSONDecodeError as exc:
        raise ModelFolderError(f"{path}, line {exc.lineno}: expected JSON ({exc.msg})") from None
    except RecursionError:
        raise ModelFolderError(f"{path}: expected JSON, found nesting too deep to read") from None
    if not isinstance(data, dict):
        raise ModelFolderError(f"{path}: expected a JSON object, found {type(data).__name__}")
    return data


def _expect(value: Any, kind: type | tuple[type, ...], where: str, path: Path) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _types(kind)):
        names = " or ".join(t.__name__ for t in _types(kind))
        raise ModelFolderError(
            f"{path}: expected {where} to be {names}, found {type(value).__name__} {value!r:.60}"
        )
    return value


def _types(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def check_config(config: dict[str, Any], path: Path) -> None:
    """Every key a reader of ``config.json`` needs is there, with the type it needs.

    Raises:
        ModelFolderError: a key is missing or has another type; the message names the file.
    """
    for key, kind in (("classifier", dict), ("embedding", dict), ("labels", list)):
        if key not in config:
            raise ModelFolderError(f"{path}: expected a key {key!r}, found none")
        _expect(config[key], kind, repr(key), path)
    tokenizer = config.get("tokenizer")
    if not isinstance(tokenizer, dict) or not isinstance(tokenizer.get("name"), str):
        raise ModelFolderError(
            f"{path}: expected 'tokenizer' to be an object with a 'name', found {tokenizer!r:.60}"
        )
    classifier, embedding = config["classifier"], config["embedding"]
    _expect(classifier.get("name"), str, "classifier.name", path)
    _expect(classifier.get("num_classes"), int, "classifier.num_classes", path)
    _expect(embedding.get("mode"), str, "embedding.mode", path)
    for key in ("rows", "dim"):
        value = _expect(embedding.get(key), int, f"embedding.{key}", path)
        if value < 1:
            raise ModelFolderError(f"{path}: expected embedding.{key} >= 1, found {value}")
    for number, label in enumerate(config["labels"], 1):
        _expect(label, str, f"label #{number}", path)
    if VOCAB_DIGEST_KEY in config:
        _expect(config[VOCAB_DIGEST_KEY], str, VOCAB_DIGEST_KEY, path)


def check_vocab(
    config: dict[str, Any], tokens: Sequence[str], config_path: Path, vocab_path: Path
) -> None:
    """The vocabulary is the one ``config.json`` was saved with (same tokens, same order).

    Raises:
        ModelFolderError: the digest differs: a token would read another token's row.
    """
    expected = config.get(VOCAB_DIGEST_KEY)
    if expected is None:
        logger.warning(
            "%s: no %s in %s (saved before it was recorded): the vocabulary's order cannot be "
            "checked against the weights",
            vocab_path,
            VOCAB_DIGEST_KEY,
            config_path.name,
        )
        return
    found = vocab_digest(tokens)
    if found != expected:
        raise ModelFolderError(
            f"{vocab_path}: expected the vocabulary {config_path.name} was saved with "
            f"({VOCAB_DIGEST_KEY} {expected[:12]}...), found other tokens or another order "
            f"({found[:12]}...): tokens would read other tokens' embedding rows"
        )


def safetensors_shapes(path: Path) -> dict[str, list[int]]:
    """The tensor shapes a safetensors file's header declares, read without loading any tensor.

    Raises:
        ModelFolderError: the file is missing, or its header is not a safetensors header.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
            size = path.stat().st_size
            if len(head) < 8:
                raise ModelFolderError(f"{path}: expected a safetensors file, found {size} bytes")
            (length,) = struct.unpack("<Q", head)
            if length > min(size - 8, _MAX_HEADER):
                raise ModelFolderError(
                    f"{path}, byte offset 0: expected a safetensors header that fits the file of "
                    f"{size} bytes, found one of {length}"
                )
            header = json.loads(handle.read(length))
    except FileNotFoundError:
        raise ModelFolderError(f"{path}: expected the weights file, found none") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFolderError(f"{path}, byte offset 8: expected a JSON header ({exc})") from None
    if not isinstance(header, dict):
        raise ModelFolderError(f"{path}, byte offset 8: expected a JSON object header")
    shapes: dict[str, list[int]] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        shape = info.get("shape") if isinstance(info, dict) else None
        if not isinstance(shape, list) or not all(isinstance(n, int) for n in shape):
            raise ModelFolderError(
                f"{path}: expected a shape for tensor {name!r}, found {info!r:.80}"
            )
        shapes[name] = shape
    return shapes


def check_weights(config: dict[str, Any], weights_path: Path, config_path: Path) -> None:
    """The embedding ``config.json`` declares is the one the weights hold: checked on the
    header, so an edited ``rows`` or ``dim`` is refused before memory is set aside for it."""
    shapes = safetensors_shapes(weights_path)
    embedding = config["embedding"]
    declared = [embedding["rows"], embedding["dim"]]
    found = shapes.get("embedding.weight")
    if found is not None and found != declared:
        shown = " x ".join(str(n) for n in found)
        raise ModelFolderError(
            f"{weights_path}: expected the weights {config_path.name} describes (an embedding of "
            f"{declared[0]} rows x {declared[1]}), found an embedding of {shown}: the folder's "
            "files do not belong together"
        )


def check_weight_shapes(
    expected: Mapping[str, Sequence[int]], weights_path: Path, config_path: Path
) -> None:
    """The tensors a model built from ``config.json`` holds (``expected``: name to shape) are
    the ones ``model.safetensors``' header declares, by name and shape.

    Meant for a model built on torch's ``meta`` device, which sets no memory aside: a
    ``config.json`` edited to ask for huge layers is refused before they are allocated.

    Raises:
        ModelFolderError: a tensor is missing from either side, or has another shape.
    """
    found = safetensors_shapes(weights_path)
    problems = [f"no {name!r}" for name in expected if name not in found]
    problems += [f"an unexpected {name!r}" for name in found if name not in expected]
    problems += [
        f"{name!r} of {_shape(found[name])} where {config_path.name} builds {_shape(shape)}"
        for name, shape in expected.items()
        if name in found and found[name] != list(shape)
    ]
    if problems:
        shown = "; ".join(problems[:4]) + ("; ..." if len(problems) > 4 else "")
        raise ModelFolderError(
            f"{weights_path}: expected the tensors of the classifier {config_path.name} "
            f"describes, found {shown}: the folder's files do not belong together"
        )


def _shape(shape: Sequence[int]) -> str:
    return " x ".join(str(n) for n in shape) or "a scalar"


def _file_being_read(error: BaseException, folder: Path) -> Path:
    """The file of ``folder`` that the innermost frame of ``error`` was reading, else the folder."""
    root = folder.resolve()
    for frame, _ in reversed(list(traceback.walk_tb(error.__traceback__))):
        for name, value in frame.f_locals.items():
            if not (name == "path" or name.endswith("_path")):
                continue
            if isinstance(value, (str, Path)):
                candidate = Path(value)
                try:
                    if candidate.resolve().is_relative_to(root) and candidate.is_file():
                        return candidate
                except (OSError, ValueError):
                    continue
    return folder


def check_folder(folder: Path) -> None:
    """The checks :func:`refuses_malformed_folders` runs before its function reads ``folder``."""
    config_path = folder / "config.json"
    if not config_path.is_file():
        return  # the reader says so, in its own words
    config = read_json_object(config_path)
    if config.get("format") != "nlptransfer-classifier":
        return  # likewise
    check_config(config, config_path)
    weights_path = folder / "model.safetensors"
    if weights_path.exists():
        check_weights(config, weights_path, config_path)
    vocab_path = folder / "vocab.json"
    vocab = read_json_object(vocab_path)
    if vocab.get("format") != "nlptransfer-vocab":
        raise ModelFolderError(
            f"{vocab_path}: expected a nlptransfer-vocab document, found format "
            f"{vocab.get('format')!r:.60}"
        )
    tokens = vocab.get("tokens")
    if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
        raise ModelFolderError(f"{vocab_path}: expected 'tokens', a list of strings")
    if len(tokens) == config["embedding"]["rows"]:  # else the reader names the disagreement
        check_vocab(config, tokens, config_path, vocab_path)


#: What a reader of a malformed folder can raise, besides the project's own errors.
_MALFORMED = (
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    OverflowError,
    RecursionError,
    RuntimeError,  # torch, for sizes it cannot build a layer with
    re.error,
)


def refuses_malformed_folders(read: _F) -> _F:
    """Wrap ``read(folder, ...)``: :func:`check_folder` first, then any error it raises that is
    not the project's becomes a :class:`ModelFolderError` naming the file it was reading."""

    @functools.wraps(read)
    def checked(folder: str | Path, *args: Any, **kwargs: Any) -> Any:
        path = Path(folder)
        check_folder(path)
        try:
            result = read(folder, *args, **kwargs)
        except NLPTransferError:
            raise
        except _MALFORMED as exc:
            where = _file_being_read(exc, path)
            detail = " ".join(str(exc).split())[:300]
            raise ModelFolderError(
                f"{where}: expected a model folder nlptransfer can read, found "
                f"{type(exc).__name__}: {detail}"
            ) from exc
        except Exception as exc:
            if type(exc).__name__ != "SafetensorError":
                raise
            raise ModelFolderError(
                f"{path / 'model.safetensors'}: expected safetensors weights, found {exc}"
            ) from exc
        check_finite_weights(getattr(result, "model", None), path / "model.safetensors")
        return result

    return checked  # type: ignore[return-value]


#: No trained weight comes near this; one that does overflows float32 in the first layer.
MAX_PLAUSIBLE_WEIGHT = 1e15


def check_finite_weights(model: Any, weights_path: Path) -> None:
    """Every floating weight of ``model`` (a torch module, or ``None``) is finite and below
    :data:`MAX_PLAUSIBLE_WEIGHT` in size: a NaN, an infinity or a flipped exponent bit in
    ``model.safetensors`` would make predictions NaN, with no error."""
    if model is None or not hasattr(model, "state_dict"):
        return
    for name, tensor in model.state_dict().items():
        if not tensor.is_floating_point() or tensor.numel() == 0:
            continue
        if not bool(tensor.isfinite().all()):
            raise ModelFolderError(
                f"{weights_path}: expected finite weights, found NaN or infinity in {name!r}"
            )
        largest = float(tensor.abs().max())
        if largest > MAX_PLAUSIBLE_WEIGHT:
            raise ModelFolderError(
                f"{weights_path}: expected plausible weights, found {largest:.3g} in {name!r} "
                "(a damaged file?)"
            )
