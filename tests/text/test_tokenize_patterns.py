"""A regex tokenizer's pattern that can backtrack catastrophically is refused wherever a pattern
is accepted (get_tokenizer, a config, a model folder), before it could hang (issue 23, item 10)."""

from __future__ import annotations

import re
import time

import pytest

from nlptransfer.errors import UnsafePatternError
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
]
SAFE = [
    r"\w+(?:'\w+)?|[^\w\s]",
    r"[a-z]+",
    r"(a+)?b",
    r"(ab)+c+",
    r"(?>a+)+",
    r"(a++)+",
    r"\d{1,3}(?:,\d{3})*",
]


@pytest.mark.parametrize("pattern", UNSAFE)
def test_nested_unbounded_repeats_are_refused(pattern):
    with pytest.raises(UnsafePatternError, match="nests another unbounded repeat"):
        get_tokenizer("regex", pattern=pattern)
    with pytest.raises(UnsafePatternError):
        tokenizer_from_config({"name": "regex", "pattern": pattern})


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
