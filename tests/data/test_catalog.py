"""The dataset catalogue: names, aliases, the data folder, and label ids checked against files."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlptransfer.data import DATASETS, data_home, dataset_entry, list_datasets, load_dataset
from nlptransfer.errors import DatasetNotFoundError, UnknownNameError

EXPECTED = ["mr", "sst2", "sst2-phrases", "sst5", "subj", "trec", "imdb", "tweets"]


def test_catalogue_lists_every_dataset_of_the_issue():
    assert list_datasets() == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_entries_are_consistent(name):
    entry = DATASETS.get(name)
    assert entry.name == name
    assert len(set(entry.label_names)) == len(entry.label_names) >= 2
    assert "train" in entry.files
    assert set(entry.files) <= {"train", "dev", "test"}
    assert set(entry.hub) <= {"train", "dev", "test"}
    if entry.cv_folds is not None:  # cross-validation is the protocol only without a test split
        assert "test" not in entry.files


def test_cross_validation_is_the_protocol_for_mr_and_subj_only():
    assert {name for name, entry in DATASETS.items() if entry.cv_folds} == {"mr", "subj"}
    assert DATASETS.get("mr").cv_folds == DATASETS.get("subj").cv_folds == 10


def test_layout_relative_to_the_data_folder(tmp_path):
    paths = dataset_entry("sst2").local_paths(tmp_path)
    assert paths == {
        split: tmp_path / "kim2014" / f"stsa.binary.{split}" for split in ("train", "dev", "test")
    }


@pytest.mark.parametrize(("alias", "name"), [("SST-2", "sst2"), ("sst-1", "sst5"), ("MR", "mr")])
def test_aliases_and_case(alias, name):
    assert dataset_entry(alias).name == name


def test_unknown_name_suggests_close_ones():
    with pytest.raises(DatasetNotFoundError, match=r"did you mean .*sst2") as raised:
        dataset_entry("sst3")
    # the catalogue is a Registry: its close-match error, as the other registries give
    assert isinstance(raised.value.__cause__, UnknownNameError)
    assert raised.value.__cause__.known == tuple(EXPECTED)


def test_names_fold_case_and_surrounding_spaces():
    assert DATASETS.canonical("  Rotten_Tomatoes ") == "mr" and " TREC" in DATASETS


def test_data_home_precedence(monkeypatch, tmp_path):
    for variable in ("NLPTRANSFER_DATA", "NLPTRANSFER_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(variable, raising=False)
    assert data_home() == Path.home() / ".cache" / "nlptransfer" / "data"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data_home() == tmp_path / "xdg" / "nlptransfer" / "data"
    monkeypatch.setenv("NLPTRANSFER_HOME", str(tmp_path / "home"))
    assert data_home() == tmp_path / "home" / "data"
    monkeypatch.setenv("NLPTRANSFER_DATA", str(tmp_path / "data"))
    assert data_home() == tmp_path / "data"
    assert data_home(tmp_path / "given") == tmp_path / "given"


# Label ids against the files: sentences whose class is beyond doubt, and the class they must get.
KNOWN = [
    ("trec", "What does the abbreviation AIDS stand for ?", "ABBR"),
    ("trec", "Who was Galileo ?", "HUM"),
    ("trec", "How far is it from Denver to Aspen ?", "NUM"),
    ("trec", "What county is Modesto , California in ?", "LOC"),
    ("trec", "What is an atom ?", "DESC"),
    ("trec", "What is Australia 's national flower ?", "ENTY"),
    (
        "subj",
        "smart and alert , thirteen conversations about one thing is a small gem .",
        "subjective",
    ),
    (
        "subj",
        "the movie begins in the past where a young boy named sam attempts to save celebi from a "
        "hunter .",
        "objective",
    ),
    ("mr", "simplistic , silly and tedious .", "negative"),
    ("sst2", "no movement , no yuks , not much of anything .", "negative"),
    (
        "sst5",
        "a stirring , funny and finally transporting re-imagining of beauty and the beast and "
        "1930s horror films",
        "very positive",
    ),
    ("sst5", "no movement , no yuks , not much of anything .", "negative"),
    ("tweets", "self-driving cars just seem lazy and a waste of money", "negative"),
]


@pytest.mark.parametrize(
    ("name", "text", "expected"), KNOWN, ids=[k[0] + "-" + k[2] for k in KNOWN]
)
def test_label_names_match_the_ids_in_the_files(data_env, name, text, expected):
    ds = load_dataset(name)
    for split in ds.values():
        if text in split["text"]:
            row = split["text"].index(text)
            assert split.features["label"].int2str(split["label"][row]) == expected
            return
    pytest.fail(f"{text!r} not found in {name}")
