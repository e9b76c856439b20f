"""A regex tokenizer's pattern that can backtrack catastrophically is refused wherever a pattern
is accepted (get_tokenizer, a config, a model folder), before it could hang (issue 23, item 10)."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlptransfer.errors import UnsafePatternError
from nlptransfer.text import pattern_safety
from nlptransfer.text.tokenize import check_pattern, get_tokenizer, tokenizer_from_config

UNSAFE = [
    r"(a+)+$",
    r"(a*)*b",
    r"(\w+\s?)*$",
    r"(?:x|y+)+z",
    r"((ab)+)+",
    r"(a+){2,9}",
    r"(?=(a+)+)b",
    r"(a|(b+))*c",
    r"(?>(a+)+$)",
    r"(?:(a+)+$)++",
]
AMBIGUOUS = [
    r"(a|aa)+$",
    r"(a{1,3})+$",
    r"(a|a?)+$",
    r"(?:a|b|ab)+$",
    r"(?:\d|\d\d)*x",
    r"(?i)(?:k|\u212a\w)+$",  # the Kelvin sign is a k to IGNORECASE
    r"(?:[a-z]|ab)+!",
    r"(?:a(?:|))+$",  # two empty alternatives: each turn ends two ways
    r"(?:a(?:b?|))+$",
    r"(?>(a|aa)+$)",  # inside an atomic group, backtracking is as anywhere
    r"(?:(?=..){1,3}\w)+$",  # the lookahead matches nothing once, twice or three times
    r"(?:(?=.)?a)+$",  # the lookahead, or nothing: two ways to match nothing
]
SAFE = [
    r"\w+(?:'\w+)?|[^\w\s]",
    r"[a-z]+",
    r"(a+)?b",
    r"(ab)+c+",
    r"(?>a+)+",
    r"(a++)+",
    r"\d{1,3}(?:,\d{3})*",
    r"(ab|ac)+$",  # the second letter settles each turn
    r"(ab?)+$",
    r"(?>a|aa)+$",  # atomic: never tried again
    r"(x\d{1,20})+",
    r"\w+\w+$",  # quadratic, not exponential
    # re's parser makes these one character class or factors them (x|xy = xy?): linear
    r"(\w|\d)+$",
    r"(?i)(a|A)+$",
    r"(?:x|xy)*z",
    r"(?:a|)+$",  # one empty alternative: a turn that matches nothing ends the repeat
    r"(?:a|aa)++$",  # possessive: a turn is never tried again
]


@pytest.mark.parametrize("pattern", UNSAFE)
def test_nested_unbounded_repeats_are_refused(pattern):
    with pytest.raises(UnsafePatternError, match="nests another unbounded repeat"):
        get_tokenizer("regex", pattern=pattern)
    with pytest.raises(UnsafePatternError):
        tokenizer_from_config({"name": "regex", "pattern": pattern})


@pytest.mark.parametrize("pattern", AMBIGUOUS)
def test_repeats_that_match_a_text_in_two_ways_are_refused(pattern):
    with pytest.raises(UnsafePatternError, match="can match the same text in more than one way"):
        get_tokenizer("regex", pattern=pattern)


def test_a_pattern_too_complex_to_check_is_refused(monkeypatch):
    monkeypatch.setattr(pattern_safety, "_PAIR_BUDGET", 3)
    with pytest.raises(UnsafePatternError, match="too complex to check"):
        check_pattern(r"(?:ab|cd|ef)+")
    check_pattern(r"\w+")  # no loop of two positions: nothing to explore


@pytest.mark.parametrize("pattern", SAFE)
def test_patterns_without_nesting_pass(pattern):
    check_pattern(pattern)
    get_tokenizer("regex", pattern=pattern)("a b")


def test_the_refused_pattern_really_hangs_python_re():
    """What the check guards: ``(a+)+$`` on 24 a's and a b takes seconds (2^24 paths)."""
    regex = re.compile(r"(a+)+$")
    start = time.perf_counter()
    regex.search("a" * 18 + "b")
    assert time.perf_counter() - start > 0.005  # 2^18 paths; each more a doubles it


def test_an_invalid_pattern_is_still_re_error():
    with pytest.raises(re.error):
        get_tokenizer("regex", pattern="(")


_ATOMS = st.sampled_from(["a", "b", "ab", r"\w", r"\d", r"\s", ".", "[a-c]", "[^b]", r"\b", "$"])


@st.composite
def _patterns(draw, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(_ATOMS)
    inner = [draw(_patterns(depth - 1)) for _ in range(draw(st.integers(1, 3)))]
    shape = draw(st.sampled_from(["seq", "alt", "group", "atomic", "look"]))
    body = "|".join(inner) if shape == "alt" else "".join(inner)
    wrapped = {"atomic": f"(?>{body})", "look": f"(?={body})"}.get(shape, f"(?:{body})")
    return wrapped + draw(st.sampled_from(["", "+", "*", "?", "{1,3}", "{2,}", "+?", "++"]))


@given(pattern=_patterns())
@settings(max_examples=200)
def test_any_pattern_is_checked_or_refused_with_a_project_error(pattern):
    """The check never fails on its own: it passes, or refuses with UnsafePatternError."""
    try:
        check_pattern(pattern)
    except UnsafePatternError as error:
        assert repr(pattern) in str(error)
    else:
        re.compile(pattern)
