"""Filtered text loads (issue 22, item 4): only the lines whose first token may be wanted are
parsed, and the result is exactly what a full load followed by the filter gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlptransfer.errors import VectorsFormatError
from nlptransfer.vectors.formats import text
from nlptransfer.vectors.formats.text import read_text_vectors
from nlptransfer.vectors.formats.text_filter import LinePicker

_WORD = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=6
).map(lambda w: w.encode("utf-8")) | st.sampled_from(
    [b"caf\xe9", b"\xff", b"hot dog", b"a b c", b"the", b"The", b"New_York"]
)


def _line(word: bytes, row: np.ndarray) -> bytes:
    return word + b" " + " ".join(f"{v:.5g}" for v in row.tolist()).encode() + b"\n"


def _filtered_full_load(path, vocab, limit, header):
    """The reference: a full load (every number parsed), then the vocab filter."""
    full = read_text_vectors(path, header=header, limit=limit)
    keep = [i for i, w in enumerate(full.words) if w in vocab]
    return [full.words[i] for i in keep], full.matrix[keep]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(_WORD, min_size=1, max_size=30),
    dim=st.integers(1, 5),
    header=st.booleans(),
    block=st.sampled_from([16, 100, 1 << 20]),
    limit=st.none() | st.integers(0, 32),
    data=st.data(),
)
def test_a_filtered_load_is_the_full_load_filtered(
    tmp_path, monkeypatch, words, dim, header, block, limit, data
):
    if header:  # word2vec text cannot hold tokens with spaces
        words = [w.replace(b" ", b"_") for w in words]
    words = [b"first", *words]  # (a GloVe file's first line gives the dimension: no spaced token)
    rng = np.random.default_rng(len(words) + dim)
    matrix = rng.standard_normal((len(words), dim)) * 0.3
    body = b"".join(_line(w, row) for w, row in zip(words, matrix, strict=True))
    if header:
        body = f"{len(words)} {dim}\n".encode() + body
    path = tmp_path / "vectors.txt"
    path.write_bytes(body)
    decoded = sorted({w.decode("utf-8", errors="replace") for w in words})
    vocab = set(data.draw(st.lists(st.sampled_from(decoded), max_size=8)))
    vocab |= set(data.draw(st.lists(st.sampled_from(["absent", "hot", "a b", "caf"]), max_size=2)))
    monkeypatch.setattr(text, "_VOCAB_BLOCK_SIZE", block)
    parsed = read_text_vectors(path, header=header, vocab=vocab, limit=limit)
    expected_words, expected_matrix = _filtered_full_load(path, vocab, limit, header)
    assert parsed.words == expected_words
    assert np.array_equal(parsed.matrix.view(np.uint32), expected_matrix.view(np.uint32))


def test_unwanted_lines_are_not_parsed(tmp_path):
    # A full load refuses the malformed number of 'dog'; a filtered load never reads it.
    path = tmp_path / "v.txt"
    path.write_bytes(b"cat 1 2 3\ndog 4 five 6\nemu 7 8 9\n")
    with pytest.raises(VectorsFormatError, match="five"):
        read_text_vectors(path, header=False)
    parsed = read_text_vectors(path, header=False, vocab={"cat", "emu"})
    assert parsed.words == ["cat", "emu"]
    assert parsed.matrix.tolist() == [[1, 2, 3], [7, 8, 9]]


def test_a_malformed_wanted_line_is_reported_with_its_line_number(tmp_path):
    path = tmp_path / "v.vec"
    path.write_bytes(b"3 3\ncat 1 2 3\ndog 4 5 6\nemu 7 nan 9\n")
    with pytest.raises(VectorsFormatError, match="emu") as error:
        read_text_vectors(path, vocab={"emu"})
    assert error.value.line == 4


def test_a_header_count_is_still_checked(tmp_path):
    # Lines not picked are counted: a load that reads to the end (a word is absent) checks them.
    path = tmp_path / "v.vec"
    path.write_bytes(b"4 2\ncat 1 2\ndog 3 4\nemu 5 6\n")
    with pytest.raises(VectorsFormatError, match="3 rows"):
        read_text_vectors(path, vocab={"cat", "absent"})


def test_blank_lines_are_reported_as_a_full_load_reports_them(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"cat 1 2\n\ndog 3 4\n")
    with pytest.raises(VectorsFormatError) as full:
        read_text_vectors(path, header=False)
    with pytest.raises(VectorsFormatError) as filtered:
        read_text_vectors(path, header=False, vocab={"dog"})
    assert str(filtered.value) == str(full.value)


def test_picker_hands_on_tokens_that_may_decode_to_a_wanted_word():
    picker = LinePicker({"caf\ufffd"})
    picked = picker.pick(b"cafe 1\ncaf\xe9 2\nthe 3")
    assert picked.lines == [1] and picked.total == 3
    assert picked.data == b"caf\xe9 2\n"


def test_picker_keeps_a_last_line_without_a_line_break_and_stops_at_limit():
    picker = LinePicker({"b", "c"})
    assert picker.pick(b"a 1\nb 2\nc 3").data == b"b 2\nc 3"
    limited = picker.pick(b"a 1\nb 2\nc 3\n", limit=2)
    assert (limited.data, limited.lines, limited.total) == (b"b 2\n", [1], 2)


def test_the_exact_path_skips_unwanted_lines_too(tmp_path):
    # A token with a space sends the load to the exact line-by-line path; it too parses only
    # the lines that may be wanted.
    path = tmp_path / "v.txt"
    path.write_bytes(b"cat 1 2 3\nhot dog 4 5 6\ndog 4 five 6\nemu 7 8 9\n")
    parsed = read_text_vectors(path, header=False, vocab={"hot dog", "emu", "absent"})
    assert parsed.words == ["hot dog", "emu"]
    assert parsed.matrix.tolist() == [[4, 5, 6], [7, 8, 9]]
    with pytest.raises(VectorsFormatError, match="five"):
        read_text_vectors(path, header=False, vocab={"hot dog", "emu"}, limit=4)
