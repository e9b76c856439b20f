"""Labelled text-classification datasets as Hugging Face ``datasets``: catalogue, readers, splits.

``load_dataset`` turns a catalogue name, a file or a folder into a ``datasets.DatasetDict`` with
the splits ``train``, ``dev``, ``test`` and the columns ``text`` and ``label`` (a ``ClassLabel``
that keeps the label names). Missing dev and test splits are carved out (stratified, seeded), and
datasets without a test split can be cross-validated with ``fold=`` / ``n_folds=``.

Example:
    >>> from nlptransfer.data import list_datasets, load_dataset
    >>> "sst2" in list_datasets()
    True
    >>> tweets = load_dataset("tweets", limit=100)
    >>> tweets["test"].features["label"].int2str(tweets["test"][0]["label"])
    'negative'
"""

from nlptransfer.data.catalog import DATASETS, DatasetEntry, data_home, dataset_entry, list_datasets
from nlptransfer.data.load import load_dataset
from nlptransfer.data.readers import FORMATS, read_split
from nlptransfer.data.rows import BadRow
from nlptransfer.data.splits import stratified_folds, stratified_split

__all__ = [
    "DATASETS",
    "FORMATS",
    "BadRow",
    "DatasetEntry",
    "data_home",
    "dataset_entry",
    "list_datasets",
    "load_dataset",
    "read_split",
    "stratified_folds",
    "stratified_split",
]
