"""Benchmark grids in YAML, validated before anything runs.

A typo fails at once with the file, the line and the key that is wrong::

    name: kim2014
    datasets: [mr, sst2, subj, trec]    # names, or {name, train_file, dev_file, test_file, ...}
    # a dataset of files takes the file options of `nlptransfer train`: format, text_column (a
    # name or a list, joined with a space), label_column, header (false: no header) with
    # columns ("text,label"), label_names, on_bad_rows (error | warn)
    # a dataset may override training settings: {name: trec, train: {epochs: 25, patience: 5}}
    vectors: ["${NLPTRANSFER_DATA}/vectors/glove.6B.100d.txt.gz"]   # ${VAR} expanded
    models: [cnn]
    modes: [random, frozen, finetune, multichannel]
    # a mode may also be a named variant with embedding options of its own, e.g.
    # {name: gradual, mode: finetune, embedding: {unfreeze_at: 2}}
    seeds: [0, 1, 2, 3, 4]
    train_fraction: [1.0]
    train: {epochs: 15, optimizer: adam, lr: 0.001, batch_size: 50, patience: 3}

Example:
    >>> cfg = parse_bench_config("name: demo\\ndatasets: [sst2]\\nvectors: [glove-6b-50d]\\n")
    >>> cfg.models, cfg.modes, cfg.seeds
    (['cnn'], ['frozen', 'finetune'], [0])
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlptransfer._util.errors import NLPTransferError, UnknownNameError
from nlptransfer._util.registry import Registry
from nlptransfer.bench.models import MODELS, ModelNames
from nlptransfer.data.catalog import DATASETS
from nlptransfer.nn.embedding import EMBEDDING_MODES, LAYER_OPTIONS, check_layer_options
from nlptransfer.text.tokenize import TOKENIZERS
from nlptransfer.train.trainer import TrainConfig


class BenchConfigError(NLPTransferError, ValueError):
    """A benchmark config is invalid; the message names the file, line and key."""


DATASET_KEYS = {
    "name",
    "train",
    "train_file",
    "dev_file",
    "test_file",
    "format",
    "text_column",
    "label_column",
    "header",
    "columns",
    "label_names",
    "on_bad_rows",
}
#: Dataset keys whose value is a string, or a list of strings (``text_column``, ``columns``,
#: ``label_names``: a list, or one comma-separated string for the last two).
_DATASET_LISTS = {"text_column", "columns", "label_names"}
#: The file formats a dataset's ``format`` may name (``nlptransfer.data.readers.FILE_FORMATS``).
_FORMATS = ("csv", "tsv", "jsonl", "parquet", "kim")
EMBEDDING_KEYS = {"oov", "projection", *LAYER_OPTIONS}
#: ``vectors_tokenizer`` (default true): token vectors (model2vec, WordLlama) are split with
#: their own tokenizer, not this one.
TOKENIZER_KEYS = {"name", "lowercase", "max_tokens", "pattern", "path", "vectors_tokenizer"}
VOCAB_KEYS = {"min_freq", "max_size", "add_vectors_words", "add_eval_words"}
TRAIN_KEYS = {f.name for f in dataclasses.fields(TrainConfig)} - {"progress"}
VARIANT_KEYS = {"name", "mode", "embedding"}


@dataclass
class DatasetSpec:
    """A dataset of the grid: a catalogue name, or files."""

    name: str
    train_file: str | None = None
    dev_file: str | None = None
    test_file: str | None = None
    format: str | None = None
    text_column: str | list[str] | None = None
    label_column: str | None = None
    header: bool | None = None
    columns: list[str] | None = None
    label_names: list[str] | None = None
    on_bad_rows: str | None = None
    train: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    def source_dict(self) -> dict[str, Any]:
        """Where the data comes from: ``to_dict()`` without the training overrides."""
        return {k: v for k, v in self.to_dict().items() if k != "train"}


@dataclass(frozen=True)
class ModeVariant:
    """A named arm of the grid: an embedding mode with embedding options of its own.

    Its options are laid over the grid's ``embedding`` section. Reports treat the name as a mode
    of its own and compare it with its base mode and with ``frozen``.
    """

    name: str
    mode: str
    embedding: dict[str, Any] = field(default_factory=dict)


@dataclass
class BenchConfig:
    """A validated benchmark grid (see the module docstring for the YAML form)."""

    name: str
    datasets: list[DatasetSpec]
    vectors: list[str]
    models: list[str] = field(default_factory=lambda: ["cnn"])
    modes: list[str] = field(default_factory=lambda: ["frozen", "finetune"])
    seeds: list[int] = field(default_factory=lambda: [0])
    train_fraction: list[float] = field(default_factory=lambda: [1.0])
    cv_folds: int = 10
    max_train_examples: int | None = None
    train: dict[str, Any] = field(default_factory=dict)
    model_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    embedding: dict[str, Any] = field(default_factory=dict)
    tokenizer: dict[str, Any] = field(default_factory=lambda: {"name": "spacy"})
    vocab: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    source: str | None = None
    #: The named variants among ``modes`` (given in YAML as mappings in ``modes``).
    variants: dict[str, ModeVariant] = field(default_factory=dict)

    def arm(self, name: str) -> tuple[str, dict[str, Any]]:
        """``(embedding mode, embedding options)`` of the entry ``name`` of ``modes``: a variant's
        own options laid over the grid's ``embedding`` section."""
        variant = self.variants.get(name)
        if variant is None:
            return name, dict(self.embedding)
        return variant.mode, {**self.embedding, **variant.embedding}

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["datasets"] = [d.to_dict() for d in self.datasets]
        return data


#: The most values (scalars, lists, mappings) a config may hold once its aliases are expanded.
MAX_EXPANDED_NODES = 100_000

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class _Validator:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        try:
            self.root = yaml.compose(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f", line {mark.line + 1}" if mark else ""
            raise BenchConfigError(
                f"{source}{line}: invalid YAML ({getattr(exc, 'problem', exc)})"
            ) from None
        except RecursionError:
            raise BenchConfigError(f"{source}: invalid YAML (nested too deeply)") from None
        self.check_expansion(self.root)

    def check_expansion(self, root: yaml.Node | None) -> None:
        """Refuse aliases that expand to more than :data:`MAX_EXPANDED_NODES` nodes (an "alias
        bomb": a few hundred bytes of nested ``*refs`` that expand to billions) or that refer to
        a node containing themselves, before anything walks the expanded tree."""
        sizes: dict[int, int] = {}
        open_nodes: set[int] = set()

        def size(node: yaml.Node) -> int:
            key = id(node)
            if key in sizes:
                return sizes[key]
            if key in open_nodes:
                raise self.fail(node, "invalid YAML: an alias refers to a node that contains it")
            open_nodes.add(key)
            total = 1
            if isinstance(node, yaml.SequenceNode):
                total += sum(size(item) for item in node.value)
            elif isinstance(node, yaml.MappingNode):
                total += sum(size(k) + size(v) for k, v in node.value)
            open_nodes.discard(key)
            if total > MAX_EXPANDED_NODES:
                raise self.fail(
                    node,
                    f"expected a config of at most {MAX_EXPANDED_NODES:,} values once its aliases "
                    f"are expanded, found more (nested aliases: an 'alias bomb'?)",
                )
            sizes[key] = total
            return total

        if root is not None:
            try:
                size(root)
            except RecursionError:
                raise self.fail(root, "invalid YAML (nested too deeply)") from None

    def fail(self, node: yaml.Node | None, message: str) -> BenchConfigError:
        line = f", line {node.start_mark.line + 1}" if node is not None else ""
        return BenchConfigError(f"{self.source}{line}: {message}")

    def value(self, node: yaml.Node) -> Any:
        try:
            return yaml.safe_load(yaml.serialize(node))
        except yaml.YAMLError as exc:  # a node that composes but does not build as a value
            detail = " ".join(str(getattr(exc, "problem", None) or exc).split())
            raise self.fail(node, f"invalid YAML value ({detail})") from None

    def mapping(self, node: yaml.Node | None, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"expected {what} to be a mapping (key: value)")
        out = {}
        for key_node, value_node in node.value:
            out[str(key_node.value)] = (key_node, value_node)
        return out

    def check_keys(
        self, items: dict[str, tuple[yaml.Node, yaml.Node]], allowed: set[str], where: str
    ) -> None:
        for key, (key_node, _) in items.items():
            if key not in allowed:
                raise self.fail(
                    key_node,
                    f"unknown key {key!r} in {where}; expected one of: {', '.join(sorted(allowed))}",
                )

    def expand(self, text: str, node: yaml.Node) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise self.fail(
                    node, f"${{{name}}} is used but the environment variable {name} is not set"
                )
            return os.environ[name]

        return _VAR.sub(replace, text)

    def string_list(
        self, node: yaml.Node, key: str, allowed: tuple[str, ...] | None = None
    ) -> list[str]:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        out = []
        for item in items:
            if not isinstance(item, yaml.ScalarNode) or item.value == "":
                raise self.fail(item, f"expected a string in {key!r}")
            text = self.expand(str(item.value), item)
            if allowed is not None and text not in allowed:
                raise self.fail(
                    item,
                    f"unknown value {text!r} in {key!r}; expected one of: {', '.join(allowed)}",
                )
            out.append(text)
        if not out:
            raise self.fail(node, f"{key!r} must not be empty")
        return out

    def registered(
        self, node: yaml.Node, key: str, registry: Registry[Any] | ModelNames
    ) -> list[str]:
        """The names of ``node`` (a string or a list), each checked against ``registry`` and
        given as the name it is registered under; a typo fails with its line and close matches."""
        names = []
        for item, text in zip(self._items(node), self.string_list(node, key), strict=True):
            try:
                names.append(registry.canonical(text))
            except UnknownNameError as error:
                raise self.fail(item, f"unknown value {text!r} in {key!r}: {error}") from None
        return names

    def _items(self, node: yaml.Node) -> list[yaml.Node]:
        return node.value if isinstance(node, yaml.SequenceNode) else [node]

    def train_settings(self, node: yaml.Node, where: str) -> dict[str, Any]:
        """A ``train`` mapping: known keys, values that make a valid :class:`TrainConfig`."""
        fields = self.mapping(node, where)
        self.check_keys(fields, TRAIN_KEYS, where)
        settings = {k: self.value(n) for k, (_, n) in fields.items()}
        try:
            TrainConfig(**settings)
        except (TypeError, ValueError) as exc:
            raise self.fail(node, f"invalid {where} settings: {exc}") from None
        return settings

    def typed(self, node: yaml.Node, key: str, kind: type | tuple[type, ...]) -> Any:
        value = self.value(node)
        if value is not None and (
            not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float))
        ):
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            raise self.fail(node, f"expected {names} for {key!r}, found {value!r}")
        return value


def parse_bench_config(text: str, source: str = "<config>") -> BenchConfig:
    """Validate YAML text and return the :class:`BenchConfig`."""
    v = _Validator(text, source)
    top = v.mapping(v.root, "the config")
    allowed = {f.name for f in dataclasses.fields(BenchConfig)} - {"source", "variants"}
    v.check_keys(top, allowed, "the config")
    for required in ("name", "datasets", "vectors"):
        if required not in top:
            raise v.fail(v.root, f"missing required key {required!r}")
    cfg: dict[str, Any] = {"source": source}
    variant_nodes: dict[str, yaml.Node] = {}
    cfg["name"] = str(v.typed(top["name"][1], "name", str))
    if "description" in top:
        cfg["description"] = str(v.typed(top["description"][1], "description", str))
    datasets = []
    node = top["datasets"][1]
    for item in node.value if isinstance(node, yaml.SequenceNode) else [node]:
        if isinstance(item, yaml.MappingNode):
            fields = v.mapping(item, "a dataset")
            v.check_keys(fields, DATASET_KEYS, "a dataset")
            if "name" not in fields:
                raise v.fail(item, "a dataset given as a mapping needs a 'name'")
            overrides = fields.pop("train", None)
            spec = DatasetSpec(**_dataset_fields(v, fields))
            if overrides is not None:
                spec.train = v.train_settings(overrides[1], f"the 'train' of dataset {spec.name!r}")
            datasets.append(spec)
        else:
            name = v.string_list(item, "datasets")[0]
            if name not in DATASETS and not _looks_like_a_path(name):
                v.registered(item, "datasets", DATASETS)  # fails, naming the close matches
            datasets.append(DatasetSpec(name=name))
    if not datasets:  # a grid of no runs would "finish" with nothing to report
        raise v.fail(node, "'datasets' must not be empty")
    cfg["datasets"] = datasets
    cfg["vectors"] = v.string_list(top["vectors"][1], "vectors")
    if "models" in top:
        cfg["models"] = v.registered(top["models"][1], "models", MODELS)
    if "modes" in top:
        cfg["modes"], cfg["variants"], variant_nodes = _modes(v, top["modes"][1])
    if "seeds" in top:
        seeds_node = top["seeds"][1]
        seeds = v.value(seeds_node)
        if (
            not isinstance(seeds, list)
            or not seeds
            or not all(isinstance(s, int) and not isinstance(s, bool) for s in seeds)
        ):
            raise v.fail(
                seeds_node, f"expected a non-empty list of integers for 'seeds', found {seeds!r}"
            )
        cfg["seeds"] = seeds
    if "train_fraction" in top:
        frac_node = top["train_fraction"][1]
        fractions = v.value(frac_node)
        fractions = fractions if isinstance(fractions, list) else [fractions]
        if not fractions or not all(
            isinstance(f, int | float) and not isinstance(f, bool) and 0 < f <= 1 for f in fractions
        ):
            raise v.fail(
                frac_node, f"expected fractions in (0, 1] for 'train_fraction', found {fractions!r}"
            )
        cfg["train_fraction"] = [float(f) for f in fractions]
    for key in ("cv_folds", "max_train_examples"):
        if key in top:
            value = v.typed(top[key][1], key, int)
            if value is not None and value < (2 if key == "cv_folds" else 1):
                raise v.fail(top[key][1], f"{key!r} is too small: {value}")
            cfg[key] = value
    if "train" in top:
        cfg["train"] = v.train_settings(top["train"][1], "'train'")
    for dataset in datasets:  # each dataset's overrides must make valid settings together
        if dataset.train:
            try:
                TrainConfig(**{**cfg.get("train", {}), **dataset.train})
            except (TypeError, ValueError) as exc:
                raise v.fail(node, f"invalid 'train' for dataset {dataset.name!r}: {exc}") from None
    sections = {
        "embedding": EMBEDDING_KEYS,
        "tokenizer": TOKENIZER_KEYS,
        "vocab": VOCAB_KEYS,
    }
    for key, keys in sections.items():
        if key in top:
            fields = v.mapping(top[key][1], repr(key))
            v.check_keys(fields, keys, repr(key))
            cfg[key] = {k: v.value(n) for k, (_, n) in fields.items()}
    if "name" in cfg.get("tokenizer", {}):
        name_node = v.mapping(top["tokenizer"][1], "'tokenizer'")["name"][1]
        cfg["tokenizer"]["name"] = v.registered(name_node, "tokenizer", TOKENIZERS)[0]
    if "model_options" in top:
        fields = v.mapping(top["model_options"][1], "'model_options'")
        v.check_keys(fields, set(MODELS.names()), "'model_options'")
        cfg["model_options"] = {k: v.value(n) or {} for k, (_, n) in fields.items()}
    config = BenchConfig(**cfg)
    for name in config.modes:  # each arm's layer options must suit its mode before any run
        mode, layer = config.arm(name)
        try:
            check_layer_options(mode, {k: layer[k] for k in LAYER_OPTIONS if k in layer})
        except ValueError as exc:
            where = variant_nodes.get(name) or top.get("embedding", (None, None))[1]
            raise v.fail(where, f"mode {name!r}: {exc}") from None
    return config


def _modes(
    v: _Validator, node: yaml.Node
) -> tuple[list[str], dict[str, ModeVariant], dict[str, yaml.Node]]:
    """``modes``: embedding modes, or mappings ``{name, mode, embedding}`` naming a variant.

    Returns the names in order, the variants, and each variant's YAML node (for errors).
    """
    names: list[str] = []
    variants: dict[str, ModeVariant] = {}
    nodes: dict[str, yaml.Node] = {}
    for item in node.value if isinstance(node, yaml.SequenceNode) else [node]:
        if isinstance(item, yaml.MappingNode):
            fields = v.mapping(item, "a mode variant")
            v.check_keys(fields, VARIANT_KEYS, "a mode variant")
            for key in ("name", "mode"):
                if key not in fields:
                    raise v.fail(item, f"a mode variant needs a {key!r}")
            name = str(v.typed(fields["name"][1], "name", str))
            if name in EMBEDDING_MODES:
                raise v.fail(item, f"a mode variant's name must not be a mode's: {name!r}")
            mode = v.string_list(fields["mode"][1], "mode", EMBEDDING_MODES)[0]
            embedding: dict[str, Any] = {}
            if "embedding" in fields:
                options = v.mapping(fields["embedding"][1], f"the 'embedding' of mode {name!r}")
                v.check_keys(options, EMBEDDING_KEYS, f"the 'embedding' of mode {name!r}")
                embedding = {k: v.value(n) for k, (_, n) in options.items()}
            variants[name] = ModeVariant(name, mode, embedding)
            nodes[name] = item
        else:
            name = v.string_list(item, "modes", EMBEDDING_MODES)[0]
        if name in names:
            raise v.fail(item, f"mode {name!r} is listed twice in 'modes'")
        names.append(name)
    if not names:
        raise v.fail(node, "'modes' must not be empty")
    return names, variants, nodes


def _dataset_fields(
    v: _Validator, fields: dict[str, tuple[yaml.Node, yaml.Node]]
) -> dict[str, Any]:
    """A dataset mapping's values, each of the type its key takes (a typo fails with its line)."""
    given: dict[str, Any] = {}
    for key, (_, node) in fields.items():
        value = v.value(node)
        if key == "header":
            if not isinstance(value, bool):
                raise v.fail(node, f"expected true or false for 'header', found {value!r}")
            given[key] = value
        elif key in _DATASET_LISTS and isinstance(value, list):
            if not value or not all(isinstance(item, str) and item for item in value):
                raise v.fail(node, f"expected a list of names for {key!r}, found {value!r}")
            given[key] = [v.expand(item, node) for item in value]
        elif isinstance(value, dict | list) or value is None or isinstance(value, bool):
            raise v.fail(node, f"expected a string for {key!r}, found {value!r}")
        else:
            given[key] = v.expand(str(value), node)
    for key in ("columns", "label_names"):  # "text,label" -> ["text", "label"]
        if isinstance(given.get(key), str):
            given[key] = [name.strip() for name in given[key].split(",")]
    if given.get("format") is not None and given["format"] not in _FORMATS:
        raise v.fail(
            fields["format"][1],
            f"unknown format {given['format']!r}; expected one of {', '.join(_FORMATS)}",
        )
    if given.get("on_bad_rows") is not None and given["on_bad_rows"] not in ("error", "warn"):
        raise v.fail(
            fields["on_bad_rows"][1],
            f"expected error or warn for 'on_bad_rows', found {given['on_bad_rows']!r}",
        )
    if given.get("columns") and given.get("header") is not False:
        raise v.fail(
            fields["columns"][1],
            "'columns' names the fields of files without a header: add 'header: false'",
        )
    return given


def _looks_like_a_path(name: str) -> bool:
    """A dataset given by path (``data/reviews.csv``) rather than by catalogue name."""
    return "/" in name or os.sep in name or Path(name).exists()


def load_bench_config(path: str | Path) -> BenchConfig:
    """Read and validate a benchmark config file."""
    path = Path(path)
    if not path.is_file():
        raise BenchConfigError(f"{path}: no such benchmark config")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BenchConfigError(
            f"{path}, byte offset {exc.start}: expected UTF-8 YAML ({exc.reason})"
        ) from None
    return parse_bench_config(text, str(path))
