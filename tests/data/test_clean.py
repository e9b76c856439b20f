"""Text clean-ups: <br /> tags, Penn Treebank escapes."""

from __future__ import annotations

import pytest

from nlptransfer.data.clean import PTB_BRACKETS, strip_html_breaks, unescape_ptb


@pytest.mark.parametrize(
    ("escaped", "plain"),
    [
        ("-lrb- a remake -rrb-", "( a remake )"),
        ("-LRB- shouting -RRB-", "( shouting )"),
        ("-lsb- sic -rsb- -lcb- x -rcb-", "[ sic ] { x }"),
        ("writer\\/director", "writer/director"),
        ("2 1\\/2 stars , \\*\\*\\* out of 4", "2 1/2 stars , *** out of 4"),
        ("-lrb-", "("),
    ],
)
def test_unescape_ptb_restores_the_characters(escaped, plain):
    assert unescape_ptb(escaped) == plain


@pytest.mark.parametrize(
    "text",
    [
        "a non-lrb-word and pre-rrb- stay",  # only whole tokens are brackets
        "( already ) plain / and * stay",
        "a lone backslash \\ and \\n stay",
        "",
    ],
)
def test_unescape_ptb_leaves_other_text_alone(text):
    assert unescape_ptb(text) == text


def test_unescape_ptb_twice_is_once():
    text = "-lrb- writer\\/director \\*\\* -rrb-"
    assert unescape_ptb(unescape_ptb(text)) == unescape_ptb(text) == "( writer/director ** )"


def test_every_bracket_token_has_its_character():
    for token, char in PTB_BRACKETS.items():
        assert unescape_ptb(f"x {token} y") == f"x {char} y"


def test_strip_html_breaks_joins_runs_into_one_space():
    assert strip_html_breaks("One.<br /><br />Two.<BR>Three.<br/>  Four.") == (
        "One. Two. Three. Four."
    )
