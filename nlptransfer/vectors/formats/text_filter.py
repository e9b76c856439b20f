"""Picking, from a block of text vector lines, the lines a ``vocab=`` load may keep.

A filtered load of a text file (GloVe, word2vec text, fastText ``.vec``) needs the numbers of the
kept lines only. :class:`LinePicker` looks at the first token of each line (the bytes up to the
first space) and hands on only the lines that may hold a wanted word; only those are parsed.
Every other line is counted (a header's count and ``limit=`` still hold) but its numbers are not
read, so a filtered load of 2.2 million lines costs little more than reading the file.

A line is handed on, so the parser decides, whenever its first token alone cannot rule it out:

- its first token is a wanted word, or the first space-separated piece of one (GloVe tokens
  may contain spaces: ``hot dog 0.1 ...``);
- its first token is empty (a blank line, a leading space: the parser reports it, as a full
  load does);
- its first token is not valid UTF-8 (with ``unicode_errors="replace"`` or ``"ignore"`` it may
  decode to a wanted word; with ``"strict"`` the parser must report it, as a full load does).

The numbers of lines not handed on are not checked: a malformed line of an unwanted word does
not stop a filtered load (it stops a full one).

Example:
    >>> picker = LinePicker({"cat", "hot dog"})
    >>> block = b"the 1 2\\ncat 3 4\\nhot dog 5 6\\ndog 7 8\\n"
    >>> picked = picker.pick(block)
    >>> picked.data, picked.lines, picked.total
    (b'cat 3 4\\nhot dog 5 6\\n', [1, 2], 4)
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class PickedLines:
    """The lines of a block that may be kept.

    Attributes:
        data: those lines, each with its line break (the last may lack one, as in the block).
        lines: their indices among the block's lines (0 for the first).
        total: how many lines the block has.
    """

    data: bytes
    lines: list[int]
    total: int


class LinePicker:
    """Picks the lines of a block whose first token may be one of ``vocab``.

    Args:
        vocab: the words wanted.
    """

    def __init__(self, vocab: Collection[str]) -> None:
        wanted = set()
        for word in vocab:
            raw = word.encode("utf-8", errors="surrogateescape")
            wanted.add(raw)
            wanted.add(raw.split(b" ", 1)[0])  # a GloVe token with spaces starts so
        self.wanted = frozenset(wanted)

    def may_want(self, line: bytes) -> bool:
        """Whether ``line`` (one line, with or without its line break) may hold a wanted word:
        ``False`` only for a line with a first token that is valid UTF-8 and not wanted.

        >>> picker = LinePicker({"cat"})
        >>> picker.may_want(b"cat 1 2\\n"), picker.may_want(b"dog 1 2\\n"), picker.may_want(b"\\n")
        (True, False, True)
        """
        space = line.find(b" ")
        if space <= 0:  # an empty token, or no space: a line the parser must see (to report it)
            return True
        token = line[:space]
        if token in self.wanted:
            return True
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False

    def pick(self, block: bytes | bytearray | memoryview, limit: int | None = None) -> PickedLines:
        """The lines of ``block`` (whole lines; the last may lack its line break) that may hold
        a wanted word, among its first ``limit`` lines (all if ``None``)."""
        data = bytes(block)
        find = data.find
        wanted = self.wanted
        end = len(data)
        starts: list[int] = []
        tokens: list[bytes] = []
        picked: list[int] = []
        position = 0
        index = 0
        while position < end and (limit is None or index < limit):
            newline = find(b"\n", position)
            line_end = end if newline < 0 else newline
            space = find(b" ", position, line_end)
            token = data[position : line_end if space < 0 else space]
            if token in wanted or not token:  # (an empty token: let the parser report the line)
                picked.append(index)
            starts.append(position)
            tokens.append(token)
            position = line_end + 1
            index += 1
        try:
            b"\n".join(tokens).decode("utf-8")
        except UnicodeDecodeError:  # hand on the lines whose token is not UTF-8 (rare)
            picked = sorted(set(picked) | set(_undecodable(tokens)))
        ends = [*starts[1:], min(position, end)]
        return PickedLines(b"".join(data[starts[i] : ends[i]] for i in picked), picked, index)


def _undecodable(tokens: list[bytes]) -> list[int]:
    bad = []
    for i, token in enumerate(tokens):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(i)
    return bad
