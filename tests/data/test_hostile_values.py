"""Dataset files that would have raised raw exceptions (issue 23, items 7 and 11): a JSON-lines
label that is a list or an object (was ``TypeError: unhashable``), compressed data cut short or
corrupt (now naming the file and the byte offset reached)."""

from __future__ import annotations

import bz2
import gzip
import lzma

import pytest

from nlptransfer.data.dataset import load_dataset
from nlptransfer.data.readers import read_split
from nlptransfer.errors import BadRowsError, DatasetError

CSV = b"label,text\n" + b"".join(b"pos,a good film number %d\n" % i for i in range(2000))


@pytest.mark.parametrize("label", ['["pos"]', '{"a": 1}', "[]"])
def test_a_json_label_that_is_a_list_or_object_is_a_bad_row(tmp_path, label):
    path = tmp_path / "l.jsonl"
    path.write_text(
        f'{{"text": "a", "label": {label}}}\n{{"text": "b", "label": "pos"}}\n'
        '{"text": "c", "label": "neg"}\n'
    )
    split = read_split(path)
    assert split.labels == ["pos", "neg"]
    assert [row.line for row in split.bad_rows] == [1]
    assert "string or number" in split.bad_rows[0].problem
    with pytest.raises(BadRowsError, match=r"l\.jsonl, line 1: expected a label"):
        load_dataset(path)


@pytest.mark.parametrize(
    ("suffix", "compress"), [("gz", gzip.compress), ("bz2", bz2.compress), ("xz", lzma.compress)]
)
@pytest.mark.parametrize("cut", [8, 50, 300])
def test_truncated_compressed_data_names_the_file_and_offset(tmp_path, suffix, compress, cut):
    path = tmp_path / f"reviews.csv.{suffix}"
    path.write_bytes(compress(CSV)[:cut])
    with pytest.raises(DatasetError, match=rf"reviews\.csv\.{suffix}, byte offset {cut}: .*trunc"):
        read_split(path)
