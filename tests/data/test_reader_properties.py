"""Property tests of the file readers: what a standard writer writes is read back exactly.

Texts with quotes, commas, blank lines and several paragraphs (a quoted CSV field over several
lines) must come back whole, without a row taken for an unterminated quote; several text columns
come back joined; headerless files and Kim's format round-trip.
"""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlptransfer.data.readers import read_split

# No digits in texts: a continuation line of a quoted text never looks like a row ("1,...")
_WORDS = st.text(
    alphabet=st.sampled_from([*"abcdefgh ,.'\"!?-éü", "\n"]), min_size=1, max_size=60
).filter(lambda text: text.strip() != "" and text == text.strip())
_ROWS = st.lists(st.tuples(st.sampled_from(["0", "1", "2"]), _WORDS), min_size=1, max_size=25)
_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _csv(rows, header=("label", "text")):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@_SETTINGS
@given(rows=_ROWS, bom=st.booleans())
def test_csv_written_by_the_csv_module_reads_back_exactly(tmp_path, rows, bom):
    path = tmp_path / "rows.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + _csv(rows).encode("utf-8"))
    split = read_split(path)
    assert not split.bad_rows, split.bad_rows
    assert split.texts == [text for _, text in rows]
    assert split.labels == [label for label, _ in rows]


@_SETTINGS
@given(
    rows=st.lists(st.tuples(st.sampled_from(["0", "1"]), _WORDS, _WORDS), min_size=1, max_size=20)
)
def test_several_text_columns_are_joined_with_a_space(tmp_path, rows):
    path = tmp_path / "news.csv"
    path.write_text(_csv(rows, header=("y", "title", "body")), encoding="utf-8")
    split = read_split(path, text_column=["title", "body"], label_column="y")
    assert split.texts == [f"{title} {body}" for _, title, body in rows]


@_SETTINGS
@given(rows=_ROWS, order=st.sampled_from(["text,label", "label,text"]))
def test_headerless_csv_with_named_columns(tmp_path, rows, order):
    fields = [(text, label) if order == "text,label" else (label, text) for label, text in rows]
    path = tmp_path / "rows.csv"
    path.write_text(_csv(fields, header=None), encoding="utf-8")
    split = read_split(path, header=False, columns=order)
    assert split.texts == [text for _, text in rows] and not split.bad_rows


@_SETTINGS
@given(
    rows=st.lists(
        st.tuples(
            st.integers(-3, 12).map(str),
            st.text(alphabet=st.sampled_from(list("abc ,.'\"é")), min_size=1, max_size=40).filter(
                lambda text: text.strip() != ""
            ),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_kim_format_round_trips(tmp_path, rows):
    path = tmp_path / "rows.all"
    path.write_text("".join(f"{label} {text}\n" for label, text in rows), encoding="utf-8")
    split = read_split(path)
    assert split.labels == [label for label, _ in rows]
    assert split.texts == [text.strip() for _, text in rows]
