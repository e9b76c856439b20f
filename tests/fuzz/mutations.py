"""Mutations of real files for the fuzz suite (and the hostile-input tests that predate it).

A mutation is ``(kind, where, chunk)``: ``kind`` is ``insert``, ``delete``, ``overwrite`` or
``truncate``; ``where`` a fraction of the file's length (so one strategy serves files of every
size); ``chunk`` the bytes inserted or overwritten (its length is what a deletion removes).
The chunks favour the bytes that matter to the formats read here: separators, line ends, NUL, a
byte-order mark, digits, a space inside a word, and the high bit of a float's exponent.
"""

from __future__ import annotations

from hypothesis import strategies as st

#: Bytes that mean something to a vectors, dataset or config reader.
INTERESTING = [
    b" ",
    b"\n",
    b"\t",
    b",",
    b'"',
    b"\x00",
    b"\xef\xbb\xbf",
    b"9",
    b"-",
    b"a b",
    b"\xff\x7f",
    b"e+99",
    b"nan",
    b"{",
    b"*",
    b"&",
]

MUTATION = st.tuples(
    st.sampled_from(["insert", "delete", "overwrite", "truncate"]),
    st.floats(0, 1, exclude_max=True),
    st.binary(min_size=1, max_size=4) | st.sampled_from(INTERESTING),
)

#: The edits one fuzz example makes to a file.
MUTATIONS = st.lists(MUTATION, min_size=1, max_size=3)

#: Mutations that leave the first ``head`` fraction alone are as likely as any: most formats
#: check a header first, and the fuzz suite must get past it to reach the rows.
HEAD_BIASED = st.lists(
    st.tuples(
        st.sampled_from(["insert", "delete", "overwrite", "truncate"]),
        st.floats(0, 0.05) | st.floats(0, 1, exclude_max=True),
        st.binary(min_size=1, max_size=4) | st.sampled_from(INTERESTING),
    ),
    min_size=1,
    max_size=3,
)


def mutate(data: bytes, mutations) -> bytes:
    """``data`` with each mutation applied in turn.

    >>> mutate(b"abcdef", [("insert", 0.5, b"X"), ("truncate", 0.5, b"")])
    b'abcX'
    """
    for kind, where, chunk in mutations:
        at = int(where * (len(data) + 1))
        if kind == "insert":
            data = data[:at] + chunk + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + len(chunk) :]
        elif kind == "overwrite":
            data = data[:at] + chunk + data[at + len(chunk) :]
        else:
            data = data[:at]
    return data
