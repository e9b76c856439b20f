"""No silent misreads: files as users have them are read right, or refused with the fix.

Each file is written here as published datasets are (real SST-2 rows): a headerless
``sentence<TAB>label`` ``.txt``, Kim ``.all`` files with label-only or unlabelled lines and label
typos, a CSV with a byte-order mark and its own column names, a CSV whose text is a title and a
description, a CSV with one unterminated quote.
"""

from __future__ import annotations

import logging

import pytest

from nlptransfer.data import load_dataset
from nlptransfer.data.dataset import read_labelled_file
from nlptransfer.errors import BadRowsError, DatasetError
from tests.conftest import skip_unless_installed

skip_unless_installed("datasets")


def _kim(rows):
    return "".join(f"{label} {text}\n" for label, text in rows)


def _all_labels(ds):
    names = ds["train"].features["label"].names
    return names, sum(ds[split].num_rows for split in ds)


# ---- headerless sentence<TAB>label named .txt ---------------------------------------------------


def test_headerless_tsv_named_txt_is_refused_with_the_options_that_read_it(tmp_path, kim_rows):
    path = tmp_path / "reviews.txt"
    path.write_text("".join(f"{text}\t{label}\n" for label, text in kim_rows), encoding="utf-8")
    with pytest.raises(DatasetError) as error:
        load_dataset(path)
    message = str(error.value)
    assert "300 of 300 lines hold a tab inside the text" in message
    assert "format kim (from the extension .txt" in message
    assert "--format tsv" in message and "--no-header" in message
    assert "--columns text,label" in message
    ds = load_dataset(path, format="tsv", header=False, columns="text,label")
    assert _all_labels(ds) == (["0", "1"], 300)
    assert kim_rows[0][1] in [text for split in ds.values() for text in split["text"]]


def test_headerless_tsv_columns_are_guessed_and_the_guess_logged(tmp_path, kim_rows, caplog):
    path = tmp_path / "reviews.tsv"
    path.write_text("".join(f"{label}\t{text}\n" for label, text in kim_rows), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="nlptransfer.data"):
        ds = load_dataset(path, header=False)
    assert _all_labels(ds) == (["0", "1"], 300)
    warning = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warning) == 1
    assert "columns label,text of a file without a header" in warning[0]
    assert "300 rows, 2 classes (" in warning[0] and "--columns" in warning[0]


def test_sentences_without_labels_read_as_kim_are_refused(tmp_path, kim_rows):
    """Without tabs: the first word of each sentence would be its label."""
    path = tmp_path / "sentences.txt"
    path.write_text("".join(f"{text}\n" for _, text in kim_rows), encoding="utf-8")
    with pytest.raises(DatasetError) as error:
        load_dataset(path)
    message = str(error.value)
    assert "different labels in 300 rows" in message or "common words" in message
    assert "format kim (from the extension .txt" in message
    assert "--format FORMAT" in message and "--label-column NAME" in message


# ---- Kim .all files -----------------------------------------------------------------------------


def test_kim_label_only_lines_stop_naming_the_cli_flag_and_warn_skips_them(tmp_path, kim_rows):
    lines = _kim(kim_rows).splitlines()
    for at in (10, 50, 51, 200):
        lines[at] = lines[at].split(" ", 1)[0]  # a label and no text, as in the published files
    path = tmp_path / "reviews.all"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(BadRowsError) as error:
        load_dataset(path)
    message = str(error.value)
    assert message.startswith("4 bad rows in")
    assert "--on-bad-rows warn" in message and "on_bad_rows: warn" in message
    assert "reviews.all, line 11: empty text" in message
    assert [row.line for row in error.value.rows] == [11, 51, 52, 201]
    assert _all_labels(load_dataset(path, on_bad_rows="warn")) == (["0", "1"], 296)


def test_kim_line_without_its_label_is_refused_naming_the_line(tmp_path, kim_rows):
    lines = _kim(kim_rows).splitlines()
    lines[120] = "an unlabelled sentence about a film ."
    path = tmp_path / "reviews.all"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"299 of 300 rows have integer labels") as error:
        load_dataset(path)
    assert "'an' (1; first: " in str(error.value) and "reviews.all, line 121" in str(error.value)


@pytest.mark.parametrize(
    ("typo", "names", "like"),
    [("postive", ["negative", "positive"], "positive"), ("POS", ["neg", "pos"], "pos")],
)
def test_label_typo_is_refused_and_label_names_accept_the_file(
    tmp_path, kim_rows, typo, names, like
):
    rows = [(names[int(label)], text) for label, text in kim_rows]
    rows[77] = (typo, rows[77][1])
    path = tmp_path / "reviews.all"
    path.write_text(_kim(rows), encoding="utf-8")
    with pytest.raises(DatasetError) as error:
        load_dataset(path)
    message = str(error.value)
    assert f"label {typo!r} (1 row; first: " in message and "reviews.all, line 78" in message
    assert f"looks like {like!r}" in message
    assert f"--label-names {','.join(names)}" in message
    if typo == "POS":  # a case variant reads as its class once the names are given
        assert _all_labels(load_dataset(path, label_names=names)) == (names, 300)
    else:  # a typo is then a bad row, skipped on request
        with pytest.raises(BadRowsError, match="unknown label 'postive'"):
            load_dataset(path, label_names=names)
        ds = load_dataset(path, label_names=names, on_bad_rows="warn")
        assert _all_labels(ds) == (names, 299)


def test_one_point_zero_beside_one_is_refused_and_read_as_one_with_label_names(tmp_path, kim_rows):
    rows = list(kim_rows)
    rows[5] = ("1.0", rows[5][1])
    path = tmp_path / "reviews.all"
    path.write_text(_kim(rows), encoding="utf-8")
    with pytest.raises(
        DatasetError, match=r"label '1\.0' \(1 row; first: .*line 6\) looks like '1'"
    ):
        load_dataset(path)
    ds = load_dataset(path, label_names=["0", "1"])
    assert _all_labels(ds) == (["0", "1"], 300)


def test_a_small_class_is_called_out_at_warning(tmp_path, kim_rows, caplog):
    rows = [*kim_rows, ("2", "an odd one out .")]
    path = tmp_path / "reviews.all"
    path.write_text(_kim(rows), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="nlptransfer.data"):
        load_dataset(path, label_names=["0", "1", "2"])
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("class '2' has 1 row beside" in w and "line 301" in w for w in warnings)


# ---- CSVs with their own column names -----------------------------------------------------------


def test_csv_with_bom_and_its_own_column_names(tmp_path, kim_rows):
    path = tmp_path / "tweets.csv"
    body = "Sentiment,ItemID,SentimentText\n" + "".join(
        f'{label},{i},"{text}"\n' for i, (label, text) in enumerate(kim_rows)
    )
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    with pytest.raises(DatasetError) as error:
        load_dataset(path)
    message = str(error.value)
    assert "['Sentiment', 'ItemID', 'SentimentText']" in message  # no BOM in the first name
    assert "--text-column NAME" in message
    ds = load_dataset(path, text_column="SentimentText", label_column="Sentiment")
    assert _all_labels(ds) == (["0", "1"], 300)


def test_csv_text_split_over_title_and_description(tmp_path, kim_rows):
    path = tmp_path / "news.csv"
    rows = "".join(f'{label},"{text.split(" ,")[0]}","{text}"\n' for label, text in kim_rows)
    path.write_text("Class Index,Title,Description\n" + rows, encoding="utf-8")
    ds = load_dataset(path, text_column=["Title", "Description"], label_column="Class Index")
    texts = [text for split in ds.values() for text in split["text"]]
    text = kim_rows[0][1]
    assert f"{text.split(' ,')[0]} {text}" in texts
    assert "text columns 'Title' + 'Description' (given)" in ds["train"].info.description


def test_unterminated_quote_names_its_line_and_warn_reads_the_rest(tmp_path, kim_rows):
    lines = ["label,text"] + [f'{label},"{text}"' for label, text in kim_rows]
    lines[40] = lines[40][:-1]  # line 41: the closing quote lost
    lines[240] = lines[240].replace('"', "", 1) + '"'  # and a stray one 200 lines later
    path = tmp_path / "reviews.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(BadRowsError) as error:
        load_dataset(path)
    message = str(error.value)
    assert "reviews.csv, line 41: unterminated quote" in message
    assert "runs to line" in message
    ds = load_dataset(path, on_bad_rows="warn")
    skipped = {row.line for row in error.value.rows}
    assert 41 in skipped and len(skipped) <= 2
    assert _all_labels(ds)[1] == 300 - len(skipped)


def test_multiline_text_in_a_csv_is_not_taken_for_an_unterminated_quote(tmp_path, kim_rows):
    rows = [f'{label},"{text}"' for label, text in kim_rows]
    rows[3] = f'1,"{kim_rows[3][1]}\n\nsecond paragraph, with a comma\nand a third"'
    path = tmp_path / "reviews.csv"
    path.write_text("label,text\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert _all_labels(load_dataset(path))[1] == 300


def test_evaluate_file_reads_with_the_same_options(tmp_path, kim_rows):
    path = tmp_path / "test.txt"
    path.write_text("".join(f"{text}\t{label}\n" for label, text in kim_rows), encoding="utf-8")
    texts, ids = read_labelled_file(
        path, ["0", "1"], format="tsv", header=False, columns=["text", "label"]
    )
    assert len(texts) == 300 and ids[0] == int(kim_rows[0][0])
