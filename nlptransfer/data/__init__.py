"""Labelled text-classification datasets as Hugging Face ``datasets``: catalogue, readers, splits.

``load_dataset`` turns a catalogue name, a file or a folder into a ``datasets.DatasetDict`` with
the splits ``train``, ``dev``, ``test`` and the columns ``text`` and ``label`` (a ``ClassLabel``
that keeps the label names). Missing dev and test splits are carved out (stratified, seeded), and
datasets without a test split can be cross-validated with ``fold=`` / ``n_folds=``.

The catalogue is the registry :data:`DATASETS` (plugins add entries through the entry point
group ``nlptransfer.datasets``); the file formats read are :data:`FILE_FORMATS`.

Example:
    >>> from nlptransfer.data import list_datasets, load_dataset
    >>> "sst2" in list_datasets()
    True
    >>> tweets = load_dataset("tweets", limit=100)
    >>> tweets["test"].features["label"].int2str(tweets["test"][0]["label"])
    'negative'
"""

from nlptransfer.data.bad_rows import BadRow
from nlptransfer.data.catalog import DATASETS, DatasetEntry, data_home, dataset_entry, list_datasets
from nlptransfer.data.dataset import load_dataset
from nlptransfer.data.raw_split import RawSplit
from nlptransfer.data.readers import FILE_FORMATS, detect_file_format, read_split
from nlptransfer.data.splits import stratified_folds, stratified_split

__all__ = [
    "DATASETS",
    "FILE_FORMATS",
    "BadRow",
    "DatasetEntry",
    "RawSplit",
    "data_home",
    "dataset_entry",
    "detect_file_format",
    "list_datasets",
    "load_dataset",
    "read_split",
    "stratified_folds",
    "stratified_split",
]
