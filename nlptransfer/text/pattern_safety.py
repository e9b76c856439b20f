"""Regular expressions that can backtrack catastrophically, refused before they are compiled.

Python's ``re`` backtracks, and on some patterns it takes time exponential in the length of a
text that fails to match (a model folder's tokenizer would hang ``predict``). Two shapes cause
it, and :func:`check_pattern` refuses both:

- **nested repeats**: a repeat that may run more than once around a body holding an unbounded
  repeat itself, ``(a+)+$`` or ``(\\w+\\s?)*x``;
- **ambiguous repeats**: a repeat whose body can match one text in more than one way, so each
  turn multiplies the ways to try: ``(a|aa)+$``, ``(\\d|\\d\\d)+$``, ``(a{1,3})+$``, and
  alternatives that both match nothing, ``(?:a(?:|))+$``.

The second is found on the pattern's position automaton (Glushkov's construction over ``re``'s
own parse tree, after ``re``'s own simplifications: ``(\\w|\\d)+`` is one character class to it,
and linear): a repeat is ambiguous when, inside one of the automaton's loops, two different
paths read the same characters and meet again (exponential ambiguity, in Weber and Seidl's
terms). Characters are compared on a sample alphabet (ASCII and a dozen others: accented and
non-Latin letters, other digits and spaces) by ``re`` itself, so classes, categories and flags
mean what they mean to ``re``. Bounded repeats above :data:`UNROLLED` count as unbounded.
An atomic group or a possessive repeat (``(?>a|aa)+``, ``(a++)+``) is never backtracked into
from outside, so it is one unit to the rest of the pattern, and checked inside as a pattern of
its own. Patterns that are only polynomially slow pass (``\\w+\\w+$`` is quadratic).

Example:
    >>> check_pattern(r"\\w+(?:'\\w+)?|[^\\w\\s]")
    >>> check_pattern(r"(ab|ac)+$")  # the second letter settles each turn
    >>> check_pattern(r"(a|aa)+$")
    Traceback (most recent call last):
    ...
    nlptransfer._util.errors.UnsafePatternError: refusing the regular expression '(a|aa)+$': a repeat can match the same text in more than one way ...
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from re import _compiler as _sre_compile  # type: ignore[attr-defined]  # re's compiler (3.11+)
from re import _parser as _sre_parse  # type: ignore[attr-defined]  # re's parser (3.11+)
from typing import Any

from nlptransfer._util.errors import UnsafePatternError

__all__ = ["UNROLLED", "check_pattern"]

#: Bounded repeats up to this many turns are unrolled; larger ones count as unbounded.
UNROLLED = 8
#: Pairs of positions explored before a pattern counts as too complex to check (and is refused).
_PAIR_BUDGET = 1_000_000
#: The characters positions are compared on: ASCII, then letters, digits and spaces beyond it.
_SAMPLE = (
    "".join(map(chr, range(128)))
    + "\u00a0\u00e9\u00df\u0131\u03b1\u044f\u4e2d\u0663\u2003\u2028\u212a\U0001f600"
)
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT")
_OPAQUE = ("POSSESSIVE_REPEAT", "ATOMIC_GROUP")


def check_pattern(pattern: str) -> None:
    """Refuse a regular expression that can backtrack catastrophically (see the module's text).

    Raises:
        UnsafePatternError: the pattern nests unbounded repeats, holds an ambiguous repeat, or
            is too complex to check; the message says which and how to rewrite it.
        re.error: the pattern is not a regular expression.

    Example:
        >>> check_pattern(r"(a+)+$")
        Traceback (most recent call last):
        ...
        nlptransfer._util.errors.UnsafePatternError: refusing the regular expression '(a+)+$': a repeat nests another unbounded repeat ...
    """
    parsed = _sre_parse.parse(pattern)
    if _nests_unbounded_repeats(parsed, inside_repeat=False):
        raise UnsafePatternError(
            f"refusing the regular expression {pattern!r}: a repeat nests another unbounded "
            "repeat (as in '(a+)+'), which can take time exponential in a text's length; "
            "rewrite it without the nesting (or make the inner repeat possessive, 'a++')"
        )
    automaton = _Automaton(parsed.state)
    automaton.sequence(parsed)
    verdict = automaton.exponentially_ambiguous()
    if verdict is None:
        raise UnsafePatternError(
            f"refusing the regular expression {pattern!r}: too complex to check for "
            "catastrophic backtracking; write it with fewer alternatives inside repeats"
        )
    if verdict:
        raise UnsafePatternError(
            f"refusing the regular expression {pattern!r}: a repeat can match the same text in "
            "more than one way (as in '(a|aa)+' or '(a{1,3})+'), which can take time "
            "exponential in a text's length; make the alternatives exclusive (each turn's "
            "first characters settle which one is taken), or the repeat possessive ('(?:...)++')"
        )


def _nests_unbounded_repeats(items: Any, *, inside_repeat: bool) -> bool:
    """Whether ``items`` (a parsed pattern or a list of them) holds an unbounded repeat inside
    a repeat that may match more than once."""
    for op, arg in items:
        name = str(op)
        if name in _REPEATS:
            _low, high, body = arg
            unbounded = high == _sre_parse.MAXREPEAT
            if inside_repeat and unbounded:
                return True
            if _nests_unbounded_repeats(body, inside_repeat=inside_repeat or high > 1):
                return True
        elif name in _OPAQUE:  # never backtracked into from outside, but inside as any group
            if _nests_unbounded_repeats(_opaque_body(name, arg), inside_repeat=False):
                return True
        elif any(
            _nests_unbounded_repeats(sub, inside_repeat=inside_repeat) for sub in _parts(name, arg)
        ):
            return True
    return False


def _opaque_body(name: str, arg: Any) -> Any:
    """The body of an atomic group or of a possessive repeat."""
    return arg[2] if name == "POSSESSIVE_REPEAT" else arg


def _parts(name: str, arg: Any) -> list[Any]:
    """The sub-patterns of a group, branch, lookaround or conditional (none for the others)."""
    if name == "SUBPATTERN":
        return [arg[-1]]
    if name == "BRANCH":
        return list(arg[1])
    if name in ("ASSERT", "ASSERT_NOT"):
        return [arg[1]]
    if name == "GROUPREF_EXISTS":
        return [branch for branch in arg[1:] if branch is not None]
    return []


@dataclass
class _Part:
    """Glushkov's summary of a sub-expression: the positions that can read its first and its
    last character, and whether it can match the empty text."""

    first: frozenset[int]
    last: frozenset[int]
    nullable: bool


_EMPTY = _Part(frozenset(), frozenset(), True)


class _Automaton:
    """The position automaton of a parsed pattern: one position per character-reading item,
    ``follow[i]``: the positions that can read the next character after position ``i``."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self.masks: list[int] = []  # the sample characters each position reads, as bits
        self.follow: list[set[int]] = []
        self.inners: list[_Automaton] = []  # of lookarounds, atomic groups, possessive repeats
        self.loop_depth = 0  # how many repeats that may run more than once are being built
        self.empty_twice = False  # in a loop, nothing can be matched in two ways

    def position(self, mask: int) -> _Part:
        """A new position that reads the sample characters in ``mask``."""
        self.masks.append(mask)
        self.follow.append(set())
        only = frozenset([len(self.masks) - 1])
        return _Part(only, only, False)

    def then(self, head: _Part, tail: _Part) -> _Part:
        for last in head.last:
            self.follow[last].update(tail.first)
        return _Part(
            head.first | tail.first if head.nullable else head.first,
            tail.last | head.last if tail.nullable else tail.last,
            head.nullable and tail.nullable,
        )

    def loop(self, body: _Part) -> _Part:
        for last in body.last:
            self.follow[last].update(body.first)
        return body

    def sequence(self, items: Iterable[Any]) -> _Part:
        part = _EMPTY
        for item in items:
            part = self.then(part, self.item(item))
        return part

    def item(self, item: Any) -> _Part:
        op, arg = item
        name = str(op)
        if name in _REPEATS:
            return self.repeat(*arg)
        if name in ("ASSERT", "ASSERT_NOT"):  # matched as a pattern of its own, then left
            inner = _Automaton(self.state)
            inner.sequence(arg[1])
            self.inners.append(inner)
            return _EMPTY
        if name == "AT":
            return _EMPTY
        if name == "SUBPATTERN":
            return self.sequence(arg[-1])
        if name in ("BRANCH", "GROUPREF_EXISTS"):
            branches = [self.sequence(sub) for sub in _parts(name, arg)]
            if self.loop_depth and sum(branch.nullable for branch in branches) > 1:
                self.empty_twice = True  # (?:a(?:|))+$: each turn ends two ways
            if name == "GROUPREF_EXISTS" and len(branches) == 1:
                branches.append(_EMPTY)
            return functools.reduce(_either, branches)
        if name in _OPAQUE:  # one unit to what is outside (never split again): one position
            inner = _Automaton(self.state)  # what is inside backtracks as a pattern of its own
            part = inner.sequence(_opaque_body(name, arg))
            self.inners.append(inner)
            mask = functools.reduce(int.__or__, (inner.masks[i] for i in part.first), 0)
            unit = self.position(mask)
            empty = part.nullable or (name == "POSSESSIVE_REPEAT" and arg[0] == 0)
            return _either(unit, _EMPTY) if empty else unit
        if name == "GROUPREF":
            return self.position(_ANY_CHARACTER)
        return self.position(_mask(self.state.flags, item))

    def repeat(self, low: int, high: int, body: Any) -> _Part:
        in_loop = self.loop_depth > 0
        self.loop_depth += high > 1
        try:
            part, turn = self._repeat(low, high, body)
        finally:
            self.loop_depth -= high > 1
        if in_loop and high > low and turn.nullable:
            self.empty_twice = True  # (?:(?=x)?y)+: a turn matches nothing in two ways
        return part

    def _repeat(self, low: int, high: int, body: Any) -> tuple[_Part, _Part]:
        """The repeat's summary, and that of one turn (the last copy of ``body`` built)."""
        unbounded = high == _sre_parse.MAXREPEAT or high > UNROLLED
        low = min(low, UNROLLED)
        part = turn = _EMPTY
        for _ in range(low - 1 if unbounded and low else low):
            turn = self.sequence(body)
            part = self.then(part, turn)
        if unbounded:
            turn = self.loop(self.sequence(body))
            return self.then(part, turn if low else _either(turn, _EMPTY)), turn
        optional = _EMPTY  # x{0,k} = (x(x(...)?)?)?: nested, so that no text has two readings
        for _ in range(high - low):
            turn = self.sequence(body)
            optional = _either(self.then(turn, optional), _EMPTY)
        return self.then(part, optional), turn

    def exponentially_ambiguous(self) -> bool | None:
        """Whether two different paths through one loop read the same text and meet again;
        ``None`` when the pattern is too complex to tell within :data:`_PAIR_BUDGET`."""
        if self.empty_twice:
            return True
        for inner in self.inners:
            verdict = inner.exponentially_ambiguous()
            if verdict is not False:
                return verdict
        budget = _PAIR_BUDGET
        for component in _loops(self.follow):
            members = set(component)
            pairs = _PairGraph(
                [self.follow[i] & members for i in range(len(self.follow))], self.masks
            )
            settled: set[int] = set()
            for start in component:
                if start in settled:
                    continue
                reached = _reach((start, start), pairs.successors)
                budget -= len(reached)
                if budget < 0:
                    return None
                back = _reach_back((start, start), reached, pairs.successors)
                if any(p != q for p, q in back):
                    return True
                settled.update(p for p, q in back if p == q)
        return False


@dataclass
class _PairGraph:
    """Two copies of the automaton reading the same characters: a node is a pair of positions,
    an edge reads one character both positions' successors can read."""

    follow: list[set[int]]
    masks: list[int]

    def successors(self, pair: tuple[int, int]) -> list[tuple[int, int]]:
        masks = self.masks
        return [
            (p, q)
            for p in self.follow[pair[0]]
            for q in self.follow[pair[1]]
            if masks[p] & masks[q]
        ]


def _either(a: _Part, b: _Part) -> _Part:
    return _Part(a.first | b.first, a.last | b.last, a.nullable or b.nullable)


_ANY_CHARACTER = (1 << len(_SAMPLE)) - 1
_MASKS: dict[tuple[int, str], int] = {}


def _mask(flags: int, item: Any) -> int:
    """The sample characters a character-reading ``item`` of ``re``'s parse tree reads (as bits:
    bit ``n`` for ``_SAMPLE[n]``), as ``re`` reads them under ``flags``."""
    key = (flags, repr(item))
    if key not in _MASKS:
        if len(_MASKS) > 10_000:
            _MASKS.clear()
        state = _sre_parse.State()
        state.flags = flags
        try:
            regex = _sre_compile.compile(_sre_parse.SubPattern(state, [item]))
        except Exception:  # an item re cannot compile alone: any character, to be safe
            _MASKS[key] = _ANY_CHARACTER
        else:
            _MASKS[key] = sum(1 << n for n, char in enumerate(_SAMPLE) if regex.match(char))
    return _MASKS[key]


def _loops(follow: list[set[int]]) -> list[list[int]]:
    """The strongly connected components of the position graph that hold a cycle."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    components: list[list[int]] = []
    for root in range(len(follow)):
        if root in index:
            continue
        work = [(root, iter(sorted(follow[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(follow[nxt]))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in follow[node]:
                    components.append(component)
    return components


def _reach(start: Any, successors: Any) -> set[Any]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in successors(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _reach_back(target: Any, among: set[Any], successors: Any) -> set[Any]:
    """The nodes of ``among`` from which ``target`` can be reached."""
    into: dict[Any, list[Any]] = {node: [] for node in among}
    for node in among:
        for nxt in successors(node):
            if nxt in into:
                into[nxt].append(node)
    seen = {target}
    todo = [target]
    while todo:
        for previous in into[todo.pop()]:
            if previous not in seen:
                seen.add(previous)
                todo.append(previous)
    return seen
